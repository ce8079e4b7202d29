using System.Globalization;
using System.Text;
using Hotline.Cti.Media;
using Hotline.Cti.Media.Mixing;
using Hotline.Cti.Media.Sdp;
using Hotline.Cti.Media.Srtp;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Registrar;
using Hotline.Cti.Sip.Transport;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Calls.Sip;

/// <summary>
/// <see cref="ITelephony"/> over the SIP user agent and the media engine. The host's SIP routing hands each INVITE
/// it wants the ACD to see to <see cref="Offer"/>; <see cref="Dial"/> looks registered users up in the registrar.
/// </summary>
public sealed partial class SipTelephony : ITelephony
{
    private readonly SipUserAgent _userAgent;
    private readonly SipBindings _bindings;
    private readonly MediaEngine _media;
    private readonly TimeProvider _time;
    private readonly ILogger<SipTelephony> _logger;
    private readonly ILogger<SipCallLeg> _legLogger;
    private long _nextLeg;

    public SipTelephony(SipUserAgent userAgent, SipBindings bindings, MediaEngine media, TimeProvider time, ILoggerFactory loggers)
    {
        _userAgent = userAgent;
        _bindings = bindings;
        _media = media;
        _time = time;
        _logger = loggers.CreateLogger<SipTelephony>();
        _legLogger = loggers.CreateLogger<SipCallLeg>();
    }

    public event EventHandler<IncomingCallEventArgs>? IncomingCall;

    /// <summary>
    /// Chooses a leg's media protection from the account (the caller's user for inbound legs, the dialled user for
    /// outbound ones) and the SIP transport it uses. Default: SRTP required over TLS, optional otherwise.
    /// </summary>
    public Func<string, SipProtocol, SrtpPolicy> MediaPolicy { get; set; } =
        static (_, protocol) => protocol == SipProtocol.Tls ? SrtpPolicy.Srtp : SrtpPolicy.Optional;

    /// <summary>
    /// The proxy whose registrar holds the phones (Kamailio): set, a dial by user ("1001") is sent there with
    /// <c>sip:1001@</c><see cref="ProxyDomain"/> as Request-URI, and the proxy relays it to the registered contact
    /// (RFC 3261 §16.5; the dialog's later requests follow its Record-Route, §12.1.2). Null: this engine's registrar.
    /// </summary>
    public SipUri? OutboundProxy { get; init; }

    /// <summary>Host of the address of record at <see cref="OutboundProxy"/>; null or empty: the proxy's host and port.</summary>
    public string? ProxyDomain { get; init; }

    /// <summary>Legs created and not yet ended (inbound and outbound).</summary>
    public int ActiveLegs => (int)Interlocked.Read(ref _active);

    private long _active;

    /// <summary>
    /// Turns an inbound INVITE into a leg and raises <see cref="IncomingCall"/>. An offer we cannot answer gets 488
    /// (RFC 3264 §6), exhausted RTP ports 503; both return false and raise nothing.
    /// </summary>
    /// <remarks><paramref name="privileged"/> false (a call from an unauthenticated party) keeps it off the reserved RTP ports.</remarks>
    public bool Offer(IncomingInviteSession session, bool privileged = true)
    {
        var leg = CreateInboundLeg(session, privileged);
        if (leg is null) return false;
        var handler = IncomingCall;
        if (handler is null)
        {
            _ = leg.RejectAsync(480, CancellationToken.None);
            return false;
        }
        handler(this, new IncomingCallEventArgs(leg));
        return true;
    }

    /// <summary>An inbound leg with its SDP answer ready (null when refused with 488/503, or CANCELled already).</summary>
    public SipCallLeg? CreateInboundLeg(IncomingInviteSession session, bool privileged = true)
    {
        MediaSession media;
        try
        {
            media = _media.CreateSession(privileged);
        }
        catch (InvalidOperationException ex)
        {
            LogNoPorts(_logger, ex.Message);
            session.Reject(503, "Service Unavailable (no RTP ports)");
            return null;
        }
        SipCallLeg leg;
        try
        {
            var sdp = _media.CreateSdp(media, MediaPolicy(session.CallerUser, session.Source.Protocol));
            var result = session.OfferBody.IsEmpty
                ? new SdpAnswerResult(false, null, null, "no SDP offer in the INVITE")
                : sdp.Answer(Encoding.ASCII.GetString(session.OfferBody.Span));
            if (!result.IsAccepted)
            {
                LogRefused(_logger, session.CallId, result.RejectReason ?? "");
                session.Reject(SdpAnswerResult.RejectStatusCode, "Not Acceptable Here");
                _ = media.DisposeAsync().AsTask();
                return null;
            }
            media.Apply(result.Media!);
            leg = new SipCallLeg(NextId(), session, media, sdp, CallLegDirection.Inbound, session.CallerUser, session.CallerDisplayName,
                session.DialedUser, Encoding.ASCII.GetBytes(result.AnswerSdp!), _legLogger) { ContactHeader = _userAgent.ContactHeader(session.Source.Protocol) };
        }
        catch
        {
            // Until the leg exists nobody else can free the pair (the leg owns it from its constructor on).
            _ = media.DisposeAsync().AsTask();
            throw;
        }
        Track(leg);
        // A CANCEL raced us: the leg saw the session ended (SipCallLeg's constructor) and freed its ports itself.
        if (leg.State == CallLegState.Ended || session.State == SipSessionState.Ended) return null;
        return leg;
    }

    public IOutboundCall Dial(string target, DialOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (uri, proxy) = ResolveTarget(target);
        var media = _media.CreateSession();
        SdpAnswerer sdp;
        OutgoingInviteSession session;
        try
        {
            var protocol = SipAddressResolver.ProtocolOf(uri);
            // RFC 7118 + RFC 8829: a binding reached over a WebSocket is a browser, which only takes WebRTC media.
            var browser = protocol is SipProtocol.Ws or SipProtocol.Wss;
            sdp = _media.CreateSdp(media, MediaPolicy(uri.User ?? target, protocol), webRtc: browser);
            var offer = Encoding.ASCII.GetBytes(sdp.CreateOffer());
            session = _userAgent.Invite(new InviteRequest
            {
                Target = uri,
                FromUser = options.CallerId,
                FromDisplayName = options.DisplayName,
                Body = offer,
                Headers = options.Headers,
            }, proxy);
        }
        catch
        {
            // No leg yet to own the pair: free it here.
            _ = media.DisposeAsync().AsTask();
            throw;
        }
        var leg = new SipCallLeg(NextId(), session, media, sdp, CallLegDirection.Outbound, uri.User ?? target, "", uri.User ?? target, null, _legLogger)
        {
            ContactHeader = _userAgent.ContactHeader(proxy?.Protocol ?? SipAddressResolver.ProtocolOf(uri)),
        };
        Track(leg);
        return new SipOutboundCall(leg, session, sdp, options.RingTimeout, _time, _legLogger);
    }

    public void Bridge(ICallLeg a, ICallLeg b) => MediaSession.Bridge(MediaOf(a), MediaOf(b));

    public IConference CreateConference() => new MixerConference(new Mixer());

    internal static MediaSession MediaOf(ICallLeg leg) =>
        (leg as SipCallLeg)?.Media ?? throw new ArgumentException("The leg was not created by this telephony.", nameof(leg));

    /// <summary>
    /// "1001" → the registrar's contact for 1001, or with <see cref="OutboundProxy"/> its address of record sent to the
    /// proxy; "sip:…" → that URI, sent where it points.
    /// </summary>
    private (SipUri Uri, SipEndPoint? Proxy) ResolveTarget(string target)
    {
        if (string.IsNullOrWhiteSpace(target)) throw new ArgumentException("A dial target is required.", nameof(target));
        if (target.StartsWith("sip:", StringComparison.OrdinalIgnoreCase))
            return (SipUri.TryParse(target, out var direct) ? direct : throw new ArgumentException($"'{target}' is not a SIP URI.", nameof(target)), null);
        if (OutboundProxy is { } proxy)
        {
            if (target.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' or '*' or '#')))
                throw new ArgumentException($"'{target}' is not a user name.", nameof(target));
            var aor = string.IsNullOrEmpty(ProxyDomain)
                ? new SipUri { User = target, Host = proxy.Host, Port = proxy.Port }
                : new SipUri { User = target, Host = ProxyDomain };
            return (aor, SipAddressResolver.Resolve(proxy));
        }
        // The contact registered last (SipBindings.Lookup's order): the phone the agent connected most recently rings.
        var binding = _bindings.Lookup(target).FirstOrDefault()
            ?? throw new InvalidOperationException($"User {target} is not registered.");
        var contact = binding.Contact.Trim().TrimStart('<').TrimEnd('>');
        return (SipUri.TryParse(contact, out var uri) ? uri : throw new InvalidOperationException($"User {target} has an unusable contact."), null);
    }

    private string NextId() => "leg-" + Interlocked.Increment(ref _nextLeg).ToString(CultureInfo.InvariantCulture);

    private void Track(SipCallLeg leg)
    {
        Interlocked.Increment(ref _active);
        leg.Completion.ContinueWith(_ => Interlocked.Decrement(ref _active), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "INVITE {CallId} refused with 488: {Reason}")]
    private static partial void LogRefused(ILogger logger, string callId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "INVITE refused with 503: {Reason}")]
    private static partial void LogNoPorts(ILogger logger, string reason);
}
