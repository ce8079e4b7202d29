using System.Collections.Concurrent;
using Hotline.AcdEngine.Routing;
using Hotline.Cti.Calls.Sip;
using Hotline.Cti.Sip.Admission;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Registrar;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Sip;

/// <summary>
/// What the engine does with each out-of-dialog request: OPTIONS → 200 with Allow, REGISTER → registrar,
/// INVITE → the public numbers (the hotline number, the echo number, a number claimed with <see cref="Claim"/>) for
/// anyone; every other number (feature codes, outside numbers) and every other method only for an account that
/// proves who it is with digest credentials (407, RFC 3261 §22.3), with one answer whether or not the claimed
/// account exists. Calls pass the per-source and per-account limits of <see cref="SipAdmission"/> before any RTP
/// port is taken.
/// </summary>
public sealed partial class SipRouting(SipStack stack, SipTelephony telephony, SipAdmission admission, IOptions<AcdOptions> acd, TimeProvider time,
    ILogger<SipRouting> logger)
{
    private readonly ConcurrentDictionary<string, Action<IncomingInviteSession>> _numbers = new(StringComparer.Ordinal);
    private readonly string _hotlineNumber = acd.Value.HotlineNumber;
    private readonly HashSet<string> _featureCodes = FeatureCodes(acd.Value);
    private readonly TrustedProxies _proxies = TrustedProxies.From(stack.Options);
    private Action<SipMessage>? _optionsAnswer;

    private static HashSet<string> FeatureCodes(AcdOptions o) =>
        new(new[] { o.FeatureCodes.SignIn, o.FeatureCodes.SignOut, o.FeatureCodes.Ready, o.FeatureCodes.NotReady }
            .Where(n => !string.IsNullOrEmpty(n)), StringComparer.Ordinal);

    /// <summary>Routes INVITEs for <paramref name="number"/> to <paramref name="handler"/> (a public number: no credentials asked).</summary>
    public void Claim(string number, Action<IncomingInviteSession> handler) => _numbers[number] = handler;

    public void Attach()
    {
        stack.UserAgent.Admit = admission.Admit;
        stack.UserAgent.RequestReceived += OnRequest;
        stack.UserAgent.IncomingCall += OnIncomingCall;
    }

    public void Detach()
    {
        stack.UserAgent.Admit = null;
        stack.UserAgent.RequestReceived -= OnRequest;
        stack.UserAgent.IncomingCall -= OnIncomingCall;
    }

    private bool IsPublic(string number) => number == _hotlineNumber || number == stack.Options.EchoNumber || _numbers.ContainsKey(number);

    private void OnRequest(object? sender, SipRequestEventArgs e)
    {
        var request = e.Request;
        switch (request.Message.Method)
        {
            case SipMethods.Options:
                // RFC 3261 §11.2: 200 with what we accept (one delegate for every OPTIONS, not a closure each).
                request.Respond(200, configure: _optionsAnswer ??= r =>
                {
                    r.AddHeader(SipHeaderNames.Allow, stack.UserAgent.Options.Allow);
                    r.AddHeader("Accept", "application/sdp");
                    r.AddHeader(SipHeaderNames.Supported, "");
                });
                break;
            case SipMethods.Register:
                stack.Registrar.Handle(request);
                break;
            default:
                // MESSAGE, SUBSCRIBE, REFER… outside a dialog: only an authenticated account is told more (§22.3).
                // Kamailio in front (Sip:TrustedProxies) challenged the phone already.
                if (_proxies.IsTrusted(request.Source.Address.Address))
                {
                    if (request.Message.Method != SipMethods.Refer)
                        request.Respond(405, configure: r => r.AddHeader(SipHeaderNames.Allow, stack.UserAgent.Options.Allow));
                    break;
                }
                var account = stack.Authenticator.Authenticate(request, DigestChallengeKind.Proxy,
                    (status, reason, configure) => request.Respond(status, reason, configure, toTag: SipIdentifiers.NewTag()),
                    expectedUser: request.Message.From?.Uri.User ?? "");
                if (account is null) return;
                // §8.2.1: a method we know but do not accept outside a dialog (REFER: left to the core's 403).
                if (request.Message.Method != SipMethods.Refer)
                    request.Respond(405, configure: r => r.AddHeader(SipHeaderNames.Allow, stack.UserAgent.Options.Allow));
                break;
        }
    }

    private void OnIncomingCall(object? sender, SipIncomingCallEventArgs e)
    {
        var session = e.Session;
        var number = session.DialedUser;
        string? user = null;
        if (!IsPublic(number) && _proxies.IsTrusted(session.Source.Address.Address))
        {
            // Relayed by a trusted proxy (Kamailio's auth module challenged the phone): the From user is the account.
            user = stack.Options.Accounts.Exists(a => a.User == session.CallerUser) ? session.CallerUser : null;
            if (user is null)
            {
                session.Reject(403, "Forbidden");
                return;
            }
        }
        else if (!IsPublic(number))
        {
            // An account's phone (feature code, outside number): prove it. The From user is the claimed account;
            // credentials for another account, or none, get the same 407 as a name that is no account at all.
            var account = stack.Authenticator.Authenticate(session.Request, DigestChallengeKind.Proxy,
                (status, reason, configure) => session.Reject(status, reason, configure), expectedUser: session.CallerUser);
            if (account is null) return;
            user = account.User;
        }
        if (!TryOpen(session, user)) return;

        if (number == stack.Options.EchoNumber)
        {
            LogEcho(CallerMask.Mask(session.CallerUser));
            _ = AnswerEchoAsync(session, privileged: user is not null);
            return;
        }
        if (_numbers.TryGetValue(number, out var handler))
        {
            handler(session);
            return;
        }
        if (number == _hotlineNumber || _featureCodes.Contains(number))
        {
            // The ACD owns the leg from here (CallRouter): answer, queue, or refuse. 488 when the offer is unusable.
            telephony.Offer(session, privileged: user is not null);
            return;
        }
        if (user is not null && admission.CanDialOut(user))
        {
            // An authenticated phone dialling out (issue 10): the ACD's outbound dial plan decides
            // (CallRouter.AgentDial); a number it does not take is refused there with 404.
            telephony.Offer(session, privileged: true);
            return;
        }
        LogDialOutRefused(user ?? "", CallerMask.Mask(number));
        session.Reject(403, "Forbidden (this account may not dial out)");
    }

    /// <summary>
    /// The per-source cap (and, for an account, its rate and cap) for one call, released when the session ends;
    /// false after answering 503/486.
    /// </summary>
    private bool TryOpen(IncomingInviteSession session, string? user)
    {
        var sourceCall = admission.TryOpenSourceCall(session.Source.Address.Address);
        if (sourceCall is null)
        {
            session.Reject(503, "Service Unavailable (too many calls from this address)", r => r.AddHeader(SipHeaderNames.RetryAfter, "30"));
            return false;
        }
        IDisposable? accountCall = null;
        if (user is not null)
        {
            var refusal = admission.TryOpenAccountCall(user, out accountCall);
            if (refusal != AdmissionRefusal.None)
            {
                sourceCall.Dispose();
                if (refusal == AdmissionRefusal.TooManyCalls) session.Reject(486, "Busy Here (too many calls from this account)");
                else session.Reject(503, "Service Unavailable (call rate of this account)", r => r.AddHeader(SipHeaderNames.RetryAfter, "10"));
                return false;
            }
        }
        session.Ended += (_, _) =>
        {
            sourceCall.Dispose();
            accountCall?.Dispose();
        };
        if (session.State == SipSessionState.Ended)
        {
            // A CANCEL ended the session before we listened: release now (Dispose is idempotent).
            sourceCall.Dispose();
            accountCall?.Dispose();
        }
        return true;
    }

    /// <summary>The echo test number: the caller hears their own voice (RTP echoed by the media core).</summary>
    private async Task AnswerEchoAsync(IncomingInviteSession session, bool privileged)
    {
        try
        {
            if (stack.Options.EchoAnswerDelayMilliseconds > 0)
            {
                session.SendProvisional(180);
                await Task.Delay(TimeSpan.FromMilliseconds(stack.Options.EchoAnswerDelayMilliseconds), time);
                if (session.State != SipSessionState.Offering) return; // Cancelled while ringing.
            }
            var leg = telephony.CreateInboundLeg(session, privileged);
            if (leg is null) return; // 488/503 already sent.
            leg.Echo();
            await leg.AnswerAsync(CancellationToken.None);
        }
        catch (TimeoutException)
        {
            LogNoAck(session.CallId);
        }
        catch (InvalidOperationException)
        {
            // Cancelled before we answered: nothing to do.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP: echo call from {Caller}")]
    private partial void LogEcho(string caller);

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP: account {User} may not dial out (Sip:Accounts:N:CanDialOut); call to {Number} refused with 403")]
    private partial void LogDialOutRefused(string user, string number);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP: no ACK for our 200 on call {CallId}; sent BYE")]
    private partial void LogNoAck(string callId);
}

/// <summary>Masks a caller number for Information-level logs (STYLE.md: caller numbers masked).</summary>
public static class CallerMask
{
    public static string Mask(string number) =>
        number.Length <= 4 ? new string('*', number.Length) : number[..3] + new string('*', number.Length - 5) + number[^2..];
}
