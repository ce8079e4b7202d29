using System.Collections.Concurrent;
using Hotline.Cti.Sip.Dialogs;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transactions;
using Hotline.Cti.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Sip.UserAgent;

/// <summary>
/// The user-agent core (RFC 3261 §8, PJSIP's sip_ua_layer): matches messages to transactions and dialogs,
/// creates server transactions for new requests, handles CANCEL and ACK, and hands the rest to its users through
/// <see cref="IncomingCall"/> and <see cref="RequestReceived"/>.
/// </summary>
public sealed partial class SipUserAgent
{
    private readonly ISipSender _sender;
    private readonly TimeProvider _time;
    private readonly ILogger<SipUserAgent> _logger;
    private readonly SipTransactionTable _transactions = new();
    private readonly ConcurrentDictionary<string, SipInviteSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>Incoming sessions by their INVITE transaction key, so a CANCEL finds them before any dialog exists.</summary>
    private readonly ConcurrentDictionary<string, IncomingInviteSession> _incoming = new(StringComparer.Ordinal);

    public SipUserAgent(ISipSender sender, SipUserAgentOptions options, TimeProvider time, ILogger<SipUserAgent> logger)
    {
        _sender = sender;
        Options = options;
        _time = time;
        _logger = logger;
    }

    public SipUserAgentOptions Options { get; }

    /// <summary>Live transactions (a figure for the soak: it must stay flat).</summary>
    public int TransactionCount => _transactions.Count;

    /// <summary>Live INVITE sessions with a dialog.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>
    /// The sessions with a dialog by state, and the Call-IDs of up to <paramref name="max"/> that ended and are still
    /// held: an ended session leaves the table as it ends, or, hung up by us between our 200 and its ACK, once the ACK
    /// lets its BYE go (Timer H, 32 s, at the latest: <see cref="SipInviteSession.HangupAsync"/>); one still here after
    /// that is a leak to report (the soak prints them; grep the engine's log for the Call-ID).
    /// </summary>
    public SipSessionFigures SessionFigures(int max = 5)
    {
        int offering = 0, connected = 0, ended = 0;
        var endedIds = new List<string>();
        foreach (var session in _sessions.Values)
        {
            switch (session.State)
            {
                case SipSessionState.Offering: offering++; break;
                case SipSessionState.Connected: connected++; break;
                default:
                    ended++;
                    if (endedIds.Count < max) endedIds.Add(session.CallId);
                    break;
            }
        }
        return new SipSessionFigures(offering, connected, ended, endedIds);
    }

    /// <summary>A new INVITE outside a dialog. Without a subscriber the core answers 480.</summary>
    public event EventHandler<SipIncomingCallEventArgs>? IncomingCall;

    /// <summary>Any other out-of-dialog request (OPTIONS, REGISTER…). Unanswered requests get 501.</summary>
    public event EventHandler<SipRequestEventArgs>? RequestReceived;

    /// <summary>
    /// Asked for every new out-of-dialog request (not ACK, CANCEL or OPTIONS) before the core keeps any state for it;
    /// false answers 503 statelessly. The host puts its per-source rate limits here.
    /// </summary>
    public Func<SipMessage, SipEndPoint, bool>? Admit { get; set; }

    /// <summary>The transport layer's callback: every parsed message enters here.</summary>
    public void Receive(SipMessage message, SipEndPoint source)
    {
        // An out-of-dialog OPTIONS (the proxies' and phones' keep-alive probes, most of the SIP traffic a site sees) is
        // answered statelessly and keeps nothing: no Call-ID log scope (nothing about it is logged), no transaction
        // look-up (none is ever kept for it).
        if (message.IsRequest && Options.StatelessOptions && message.Method == SipMethods.Options && message.ToTag is null)
        {
            OnStatelessOptions(message, source);
            return;
        }
        // Every line logged while handling the message, and by whatever it starts (a call's flow, its legs' timers),
        // carries the SIP Call-ID (RFC 3261 §8.1.1.4) as the SipCallId property: one grep or JSON filter finds a call.
        var callId = message.CallId;
        using var scope = callId.Length > 0 ? _logger.BeginScope(new Dictionary<string, object>(1) { ["SipCallId"] = callId }) : null;
        if (message.IsResponse) OnResponse(message);
        else OnRequest(message, source);
    }

    private void OnResponse(SipMessage response)
    {
        var tx = _transactions.MatchResponse(response);
        if (tx is not null)
        {
            tx.OnResponse(response);
            return;
        }
        // §13.2.2.4: a 2xx retransmitted after the transaction ended still needs our ACK.
        if (response.CSeq.Method == SipMethods.Invite && response.StatusCode is >= 200 and < 300 &&
            _sessions.TryGetValue(SipDialog.Key(response.CallId, response.FromTag ?? "", response.ToTag ?? ""), out var s) &&
            s is OutgoingInviteSession outgoing)
        {
            outgoing.OnLateSuccess(response);
            return;
        }
        LogStrayResponse(response.StatusCode, response.CSeq.Method);
    }

    private void OnRequest(SipMessage request, SipEndPoint source)
    {
        var existing = _transactions.MatchRequest(request);
        if (request.Method == SipMethods.Ack)
        {
            // §17.2.3: the ACK for a non-2xx belongs to the INVITE transaction; the ACK for a 2xx to the dialog.
            if (existing is ServerInviteTransaction { State: SipTransactionState.Completed or SipTransactionState.Confirmed } invite) invite.OnAck();
            else if (FindSession(request) is { } session) session.OnAck(request);
            return;
        }
        if (existing is not null)
        {
            existing.OnRetransmission();
            return;
        }

        var destination = SipTransportLayer.ResponseDestination(request, source);
        if (request.ToTag is null && request.Method is not (SipMethods.Cancel or SipMethods.Options) && Admit is { } admit && !admit(request, source))
        {
            // Over a per-source limit: answered statelessly (no transaction, no retransmissions, nothing kept), with
            // Retry-After so a well-behaved client backs off (RFC 3261 §21.5.4, §20.33).
            var busy = SipResponses.Create(request, 503, "Service Unavailable (rate limited)", toTag: SipIdentifiers.NewTag());
            busy.AddHeader(SipHeaderNames.RetryAfter, "5");
            _sender.Send(busy, destination);
            return;
        }
        if (RefusedScheme(request, destination)) return;
        SipServerTransaction tx = request.Method == SipMethods.Invite
            ? new ServerInviteTransaction(request, destination, _sender, Options.Timers, _time)
            : new ServerNonInviteTransaction(request, destination, _sender, Options.Timers, _time);
        if (!_transactions.TryAdd(tx))
        {
            _transactions.MatchRequest(request)?.OnRetransmission(); // Another receive loop won the race.
            return;
        }
        var server = new ServerRequest(tx, source);
        if (request.Method == SipMethods.Invite) server.Respond(100); // §17.2.1: quench INVITE retransmissions.

        if (request.Method == SipMethods.Cancel)
        {
            OnCancel(server);
            return;
        }
        // §8.2.2.3: refuse what the request requires beyond the extensions we support (RFC 4488 norefersub).
        if (request.GetHeader(SipHeaderId.Require) is { } required && Unsupported(required) is { Length: > 0 } unsupported)
        {
            server.Respond(420, configure: r => r.AddHeader("Unsupported", unsupported));
            return;
        }
        if (request.ToTag is not null)
        {
            if (FindSession(request) is { } session) session.OnInDialogRequest(server);
            else server.Respond(481); // §12.2.2: no such dialog.
            return;
        }
        if (!SipMethods.IsKnown(request.Method))
        {
            // §8.2.1 / §21.5.2: a method we do not recognise is 501 (405 is for one we know but refuse here).
            server.Respond(501, toTag: SipIdentifiers.NewTag(), configure: r => r.AddHeader(SipHeaderNames.Allow, Options.Allow));
            return;
        }
        if (SipRequestAcceptance.Check(request) is { } refusal)
        {
            server.Respond(refusal.StatusCode, toTag: SipIdentifiers.NewTag(), configure: r =>
            {
                if (refusal.HeaderName is not null) r.AddHeader(refusal.HeaderName, refusal.HeaderValue!);
            });
            return;
        }
        if (request.Method == SipMethods.Invite) OnNewInvite(server);
        else
        {
            // The host sees every other out-of-dialog request first (it challenges those claiming an account).
            RequestReceived?.Invoke(this, new SipRequestEventArgs(server));
            if (tx.IsAnswered || tx.LastResponse is not null) return;
            // RFC 3515 §2.4.2 allows a REFER outside a dialog; we only act on transfers of calls we carry.
            if (request.Method == SipMethods.Refer) server.Respond(403, "Forbidden (REFER outside a dialog)");
            else server.Respond(501, configure: r => r.AddHeader(SipHeaderNames.Allow, Options.Allow)); // §8.2.1
        }
    }

    /// <summary>§8.2.7: an out-of-dialog OPTIONS is answered statelessly; a retransmission is just answered again.</summary>
    private void OnStatelessOptions(SipMessage request, SipEndPoint source)
    {
        var destination = SipTransportLayer.ResponseDestination(request, source);
        if (RefusedScheme(request, destination)) return;
        var stateless = new ServerRequest(new StatelessServerTransaction(request, destination, _sender, Options.Timers, _time), source);
        // §8.2.2.3 holds for OPTIONS too (RFC 4475 §3.3.5): an unknown required extension is 420.
        if (request.GetHeader(SipHeaderId.Require) is { } needs && Unsupported(needs) is { Length: > 0 } missing)
        {
            stateless.Respond(420, toTag: SipIdentifiers.NewTag(), configure: r => r.AddHeader("Unsupported", missing));
            return;
        }
        RequestReceived?.Invoke(this, new SipRequestEventArgs(stateless));
        if (stateless.Transaction.LastResponse is null) stateless.Respond(200, configure: r => r.AddHeader(SipHeaderNames.Allow, Options.Allow));
    }

    /// <summary>§8.2.2.1: a Request-URI scheme we do not serve is answered 416, statelessly.</summary>
    private bool RefusedScheme(SipMessage request, SipEndPoint destination)
    {
        if (request.RequestUri is { IsSip: true }) return false;
        _sender.Send(SipResponses.Create(request, 416, toTag: SipIdentifiers.NewTag()), destination);
        return true;
    }

    /// <summary>The option tags of a Require header we do not support ("" when we support them all).</summary>
    private static string Unsupported(string required) =>
        string.Join(", ", SipGrammar.SplitList(required).Where(tag => !SupportedExtensions.Contains(tag.Trim(), StringComparer.OrdinalIgnoreCase)));

    /// <summary>Option tags we implement (Supported/Require, §19.2): RFC 4488's norefersub.</summary>
    public static readonly IReadOnlyList<string> SupportedExtensions = ["norefersub"];

    private void OnNewInvite(ServerRequest server)
    {
        var session = new IncomingInviteSession(this, server);
        _incoming[server.Transaction.Key] = session;
        // A CANCEL handled on another receive loop before the session was findable got its 487 without it (OnCancel):
        // the call is over before it is offered. (OnCancel sets the flag, then looks the session up; this adds, then
        // reads the flag: one of the two sees the other.)
        if (server.Transaction is ServerInviteTransaction { IsCancelled: true })
        {
            session.OnCancelled();
            return;
        }
        var handler = IncomingCall;
        if (handler is null)
        {
            session.Reject(480);
            return;
        }
        try
        {
            handler(this, new SipIncomingCallEventArgs(session));
        }
        catch (Exception ex)
        {
            LogHandlerFailed(ex, server.Message.Method);
            session.Reject(500);
        }
    }

    /// <summary>§9.2: 200 to the CANCEL, 487 to the INVITE if it is still unanswered; 481 if nothing matches.</summary>
    private void OnCancel(ServerRequest cancel)
    {
        var invite = _transactions.MatchCancelled(cancel.Message);
        if (invite is null)
        {
            cancel.Respond(481);
            return;
        }
        cancel.Respond(200);
        if (invite.IsAnswered || invite.IsCancelled) return;
        invite.IsCancelled = true;
        Interlocked.MemoryBarrier(); // the flag before the look-up below, as OnNewInvite adds before it reads the flag
        var session = FindUnansweredSession(invite);
        var tag = session?.LocalTag ?? SipIdentifiers.NewTag();
        try
        {
            invite.SendResponse(invite.CreateResponse(487, toTag: tag));
        }
        catch (InvalidOperationException)
        {
            return; // Answered concurrently: the CANCEL has no effect (§9.2).
        }
        session?.OnCancelled();
    }

    private IncomingInviteSession? FindUnansweredSession(ServerInviteTransaction invite) =>
        _incoming.TryGetValue(invite.Key, out var session) ? session : null;

    private SipInviteSession? FindSession(SipMessage request) =>
        _sessions.TryGetValue(SipDialog.Key(request.CallId, request.ToTag ?? "", request.FromTag ?? ""), out var s) ? s : null;

    internal void Remember(SipInviteSession session, SipDialog dialog)
    {
        _sessions[dialog.Id] = session;
    }

    internal void Forget(SipInviteSession session)
    {
        if (session.Dialog is { } d) _sessions.TryRemove(new KeyValuePair<string, SipInviteSession>(d.Id, session));
        if (session is IncomingInviteSession incoming) _incoming.TryRemove(incoming.Transaction.Key, out _);
    }

    /// <summary>Our Contact (§8.1.1.8): where in-dialog requests reach us.</summary>
    public string ContactHeader(SipProtocol protocol = SipProtocol.Udp) =>
        "<sip:" + _sender.SentBy(protocol) + protocol switch
        {
            SipProtocol.Tcp => ";transport=tcp>",
            SipProtocol.Tls => ";transport=tls>", // RFC 5630 §3.1.3: sip: with transport=tls, not sips:, for TLS hop-by-hop
            SipProtocol.Ws or SipProtocol.Wss => ";transport=ws>", // RFC 7118 §5.2
            _ => ">",
        };

    /// <summary>Sends an INVITE (§8.1.1, §13.2.1) and returns its session at once.</summary>
    public OutgoingInviteSession Invite(InviteRequest invite, SipEndPoint? destination = null)
    {
        // An outbound proxy (destination) is where the request goes; the Request-URI's host (an AOR's domain) is not
        // looked up then (RFC 3261 §8.1.2: the first Route or the proxy, not the Request-URI, decides the next hop).
        var target = destination ?? SipAddressResolver.Resolve(invite.Target);
        var from = new SipNameAddr { DisplayName = invite.FromDisplayName, Uri = new SipUri { User = invite.FromUser, Host = Options.Domain } };
        from.Tag = SipIdentifiers.NewTag();
        var request = SipMessage.CreateRequest(SipMethods.Invite, invite.Target);
        request.AddHeader(SipHeaderNames.Via, NewVia(target.Protocol));
        request.AddHeader(SipHeaderNames.MaxForwards, "70");
        request.AddHeader(SipHeaderNames.From, from.ToString());
        request.AddHeader(SipHeaderNames.To, new SipNameAddr { Uri = invite.Target }.ToString());
        request.AddHeader(SipHeaderNames.CallId, SipIdentifiers.NewCallId(Options.Domain));
        request.AddHeader(SipHeaderNames.CSeq, "1 INVITE");
        request.AddHeader(SipHeaderNames.Contact, ContactHeader(target.Protocol));
        request.AddHeader(SipHeaderNames.Allow, Options.Allow);
        request.AddHeader(SipHeaderNames.UserAgent, Options.Product);
        if (invite.Headers is not null)
            foreach (var (k, v) in invite.Headers) request.AddHeader(k, v);
        if (!invite.Body.IsEmpty)
        {
            request.AddHeader(SipHeaderNames.ContentType, invite.ContentType);
            request.Body = invite.Body;
        }
        var tx = new ClientInviteTransaction(request, target, _sender, Options.Timers, _time);
        var session = new OutgoingInviteSession(this, request, tx);
        _transactions.TryAdd(tx);
        tx.Start();
        return session;
    }

    /// <summary>Starts a client transaction for a request that already has its Via (CANCEL, out-of-dialog requests).</summary>
    public SipClientTransaction StartClientTransaction(SipMessage request, SipEndPoint destination)
    {
        SipClientTransaction tx = request.Method == SipMethods.Invite
            ? new ClientInviteTransaction(request, destination, _sender, Options.Timers, _time)
            : new ClientNonInviteTransaction(request, destination, _sender, Options.Timers, _time);
        _transactions.TryAdd(tx);
        tx.Start();
        return tx;
    }

    /// <summary>Sends an in-dialog request built by <see cref="SipDialog.CreateRequest"/>: adds Via and Contact, routes to the next hop.</summary>
    internal SipClientTransaction SendInDialog(SipDialog dialog, SipMessage request)
    {
        var destination = SipAddressResolver.Resolve(dialog.NextHop());
        request.PrependHeader(SipHeaderNames.Via, NewVia(destination.Protocol));
        if (request.Method == SipMethods.Invite) request.AddHeader(SipHeaderNames.Contact, ContactHeader(destination.Protocol));
        return StartClientTransaction(request, destination);
    }

    /// <summary>§13.2.2.4: the ACK for a 2xx is sent directly (no transaction), re-sent for each 2xx copy.</summary>
    internal void SendAck(SipEndPoint destination, SipMessage ack, bool reuseVia = false)
    {
        if (!reuseVia) ack.PrependHeader(SipHeaderNames.Via, NewVia(destination.Protocol));
        _sender.Send(ack, destination);
    }

    /// <summary>Sends a response outside any transaction (stateless, for the benchmark path or errors).</summary>
    public void SendStateless(SipMessage response, SipEndPoint destination) => _sender.Send(response, destination);

    private string NewVia(SipProtocol protocol) =>
        "SIP/2.0/" + SipEndPoint.ViaTransportOf(protocol) + " " + _sender.SentBy(protocol) + ";branch=" + SipIdentifiers.NewBranch() + ";rport";

    [LoggerMessage(Level = LogLevel.Debug, Message = "SIP: stray {Status} response to {Method} dropped")]
    private partial void LogStrayResponse(int status, string method);

    [LoggerMessage(Level = LogLevel.Error, Message = "SIP: the {Method} handler failed")]
    private partial void LogHandlerFailed(Exception ex, string method);
}

/// <summary>The sessions with a dialog by state (<see cref="SipUserAgent.SessionFigures"/>).</summary>
public readonly record struct SipSessionFigures(int Offering, int Connected, int Ended, IReadOnlyList<string> EndedCallIds);
