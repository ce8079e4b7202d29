using System.Text;
using Hotline.Cti.Media;
using Hotline.Cti.Media.Sdp;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Calls.Sip;

/// <summary>
/// An <see cref="ICallLeg"/> over one SIP INVITE session and one <see cref="MediaSession"/>: the session owns the
/// signalling state, the media session what the leg hears and says. Ends once, whoever ends it, and frees its ports.
/// </summary>
public sealed partial class SipCallLeg : ICallLeg
{
    private readonly SipInviteSession _session;
    private readonly SdpAnswerer _sdp;
    private readonly ILogger _logger;
    private readonly byte[]? _answer;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _endRaised;
    private int _state = (int)CallLegState.Offering;
    private HangupCause? _localCause;

    internal SipCallLeg(string id, SipInviteSession session, MediaSession media, SdpAnswerer sdp, CallLegDirection direction,
        string remoteUser, string remoteDisplayName, string dialedNumber, byte[]? answer, ILogger logger)
    {
        Id = id;
        _session = session;
        Media = media;
        _sdp = sdp;
        Direction = direction;
        RemoteUser = remoteUser;
        RemoteDisplayName = remoteDisplayName;
        DialedNumber = dialedNumber;
        _answer = answer;
        _logger = logger;
        session.Ended += OnSessionEnded;
        session.InfoReceived += OnInfo;
        session.ReInviteReceived += OnReInvite;
        session.ReferReceived += OnRefer;
        media.Dtmf += OnMediaDtmf;
        media.MediaTimeout += OnMediaTimeout;
        // The leg owns the media from here: a session that ended before we listened (a CANCEL racing the INVITE's
        // routing, a 487/503 sent meanwhile) raises no Ended for us, so end now, or its port pair is never freed.
        if (session.EndedWith is { } ended) OnSessionEnded(session, ended);
    }

    public string Id { get; }
    public string RemoteUser { get; }
    public string RemoteDisplayName { get; }
    public string DialedNumber { get; }
    public CallLegDirection Direction { get; }
    public CallLegState State => (CallLegState)Volatile.Read(ref _state);

    /// <summary>The SIP Call-ID (for logs and correlation with peers).</summary>
    public string CallId => _session.CallId;

    /// <summary>The SIP session under the leg (tests send INFO and re-INVITE through it).</summary>
    internal SipInviteSession Session => _session;

    /// <summary>The leg's media (bridges and conferences join these).</summary>
    public MediaSession Media { get; }

    /// <summary>Why the leg ended (meaningful once <see cref="State"/> is Ended).</summary>
    public HangupCause LastCause { get; private set; }

    /// <summary>Completes when the leg has ended and its media is released.</summary>
    public Task Completion => _ended.Task;

    public event EventHandler<DtmfEventArgs>? Dtmf;
    public event EventHandler<CallLegEndedEventArgs>? Ended;

    /// <inheritdoc />
    public event EventHandler<RemoteHoldEventArgs>? RemoteHold;

    private bool _remoteHold;

    /// <inheritdoc />
    public bool StartRecording(string path)
    {
        var folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        Media.StartRecording(path);
        return true;
    }

    /// <inheritdoc />
    public void StopRecording() => Media.StopRecording();

    public async Task AnswerAsync(CancellationToken cancellationToken)
    {
        if (_session is not IncomingInviteSession incoming || _answer is null)
            throw new InvalidOperationException("Only an inbound leg can be answered.");
        bool acknowledged;
        try
        {
            // Media runs from the 200 on, so the caller hears the first prompt as soon as the ACK is out.
            Media.Start();
            acknowledged = await incoming.AcceptAsync(_answer).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        // A CANCEL's 487 can go out between our state check and our 200 (the core answers CANCEL on its receive loop):
        // the session ends as cancelled a moment later, so the transaction's flag says it first.
        catch (InvalidOperationException) when (State == CallLegState.Ended || incoming.State == SipSessionState.Ended || incoming.Transaction.IsCancelled)
        {
            throw new InvalidOperationException("The caller hung up before the call was answered.");
        }
        if (!acknowledged) throw new TimeoutException("No ACK for our 200 OK (RFC 3261 §13.3.1.4); the call was ended.");
        Interlocked.CompareExchange(ref _state, (int)CallLegState.Connected, (int)CallLegState.Offering);
    }

    public Task RejectAsync(int statusCode, CancellationToken cancellationToken)
    {
        if (_session is not IncomingInviteSession incoming) throw new InvalidOperationException("Only an inbound leg can be rejected.");
        _localCause = HangupCause.LocalHangup;
        incoming.Reject(statusCode);
        return Task.CompletedTask;
    }

    public Task RingAsync(CancellationToken cancellationToken)
    {
        if (_session is IncomingInviteSession incoming) incoming.SendProvisional(180);
        return Task.CompletedTask;
    }

    public Task PlayAsync(IAudioSource source, CancellationToken cancellationToken) => Media.PlayAsync(source, cancellationToken);

    public Task? PlayBesideAsync(IAudioSource source, CancellationToken cancellationToken) => Media.PlayBesideAsync(source, cancellationToken);

    public void StopAudio() => Media.StopAudio();

    public bool SendDtmf(char digit, int durationMs) => Media.TrySendDtmf(digit, durationMs);

    /// <summary>The leg hears itself (the echo test number).</summary>
    public void Echo() => Media.Echo();

    public async Task HangupAsync(CancellationToken cancellationToken)
    {
        _localCause ??= HangupCause.LocalHangup;
        await HangupCoreAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task HangupCoreAsync(CancellationToken cancellationToken)
    {
        switch (_session)
        {
            case IncomingInviteSession { State: SipSessionState.Offering } incoming:
                incoming.Reject(480); // RFC 3261 §21.4.18: Temporarily Unavailable.
                break;
            case OutgoingInviteSession { State: SipSessionState.Offering } outgoing:
                outgoing.Cancel(); // §9.1; a 2xx that crosses it is answered with BYE by the session.
                break;
        }
        // Connected: answered before, or between the state read above and the Reject or Cancel, which then did nothing
        // (our 200 or their 2xx won the session's lock); either way only a BYE ends it now.
        if (_session.State == SipSessionState.Connected)
        {
            // RFC 3261 §15: the session is over once the BYE is handed to its transaction; its answer is not waited
            // for. A phone gone from the network never answers, and waiting for Timer F (32 s) held up whatever
            // follows the hang-up: the call's end, the agent's wrap-up, the recording (a crossing BYE from a phone
            // that then exited did the same). The transaction still retransmits the BYE on its own.
            _ = _session.HangupAsync(CancellationToken.None).ContinueWith(t =>
            {
                // Unanswered (Timer F): usual for a phone gone from the network, and nothing is left to do.
                if (t.Exception?.InnerException is { } ex and not TimeoutException) LogByeFailed(_logger, Id, ex.Message);
            }, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        if (_session.State == SipSessionState.Ended) await _ended.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Outbound: the 2xx came and its SDP was accepted.</summary>
    internal void MarkConnected() => Interlocked.CompareExchange(ref _state, (int)CallLegState.Connected, (int)CallLegState.Offering);

    /// <summary>Outbound: the answer was unusable or we gave up: end with a cause of our choosing.</summary>
    internal void SetLocalCause(HangupCause cause) => _localCause ??= cause;

    private void OnSessionEnded(object? sender, SipSessionEndedEventArgs e)
    {
        var cause = _localCause ?? e.Reason switch
        {
            SipSessionEndReason.RemoteBye => HangupCause.RemoteHangup,
            SipSessionEndReason.Cancelled when Direction == CallLegDirection.Inbound => HangupCause.RemoteHangup,
            SipSessionEndReason.LocalBye => HangupCause.LocalHangup,
            _ => HangupCause.Failed,
        };
        _ = EndAsync(cause, e.StatusCode);
    }

    private async Task EndAsync(HangupCause cause, int status)
    {
        if (Interlocked.Exchange(ref _endRaised, 1) != 0) return;
        LastCause = cause;
        Volatile.Write(ref _state, (int)CallLegState.Ended);
        Media.Dtmf -= OnMediaDtmf;
        Media.MediaTimeout -= OnMediaTimeout;
        await Media.DisposeAsync().ConfigureAwait(false);
        LogEnded(_logger, Id, cause, status);
        try
        {
            Ended?.Invoke(this, new CallLegEndedEventArgs(cause, status));
        }
        finally
        {
            _ended.TrySetResult();
        }
    }

    private void OnMediaDtmf(object? sender, DtmfDigitEventArgs e) => Dtmf?.Invoke(this, new DtmfEventArgs(e.Digit, e.DurationMs));

    private void OnMediaTimeout(object? sender, EventArgs e)
    {
        _localCause ??= HangupCause.MediaTimeout;
        _ = HangupCoreAsync(CancellationToken.None);
    }

    /// <summary>SIP INFO <c>application/dtmf-relay</c> → a digit; other INFO bodies get 415.</summary>
    private void OnInfo(object? sender, SipInDialogRequestEventArgs e)
    {
        var message = e.Request.Message;
        var type = message.ContentType ?? "";
        if (!type.StartsWith("application/dtmf-relay", StringComparison.OrdinalIgnoreCase))
        {
            e.Handled = true;
            e.Request.Respond(415, configure: r => r.AddHeader("Accept", "application/dtmf-relay"));
            return;
        }
        if (!Media.ReceiveSipInfo(Encoding.ASCII.GetString(message.Body.Span)))
        {
            e.Handled = true;
            e.Request.Respond(400, "Bad Request (not a dtmf-relay body)");
        }
    }

    /// <summary>re-INVITE (RFC 3264 §8): hold (sendonly/inactive) and resume change the media direction; unusable → 488.</summary>
    private void OnReInvite(object? sender, SipInDialogRequestEventArgs e)
    {
        var body = e.Request.Message.Body;
        if (body.IsEmpty) return; // Offer-less re-INVITE: the session answers with our last SDP as the offer.
        var result = _sdp.Answer(Encoding.ASCII.GetString(body.Span));
        e.Handled = true;
        if (!result.IsAccepted)
        {
            e.Request.Respond(SdpAnswerResult.RejectStatusCode, $"Not Acceptable Here ({result.RejectReason})", toTag: _session.Dialog!.LocalTag);
            return;
        }
        Media.Apply(result.Media!);
        var answer = Encoding.ASCII.GetBytes(result.AnswerSdp!);
        e.Request.Respond(200, toTag: _session.Dialog!.LocalTag, configure: r =>
        {
            r.AddHeader(SipHeaderNames.Contact, ContactHeader);
            r.AddHeader(SipHeaderNames.ContentType, "application/sdp");
            r.Body = answer;
        });
        LogReInvite(_logger, Id, result.Media!.LocalDirection);
        // RFC 3264 §8.4: a=sendonly/inactive from the phone is hold; sendrecv again is resume. Reported on change only.
        var onHold = result.Media!.IsOnHold;
        if (onHold != _remoteHold)
        {
            _remoteHold = onHold;
            RemoteHold?.Invoke(this, new RemoteHoldEventArgs(onHold));
        }
    }

    internal string ContactHeader { get; init; } = "";

    /// <inheritdoc />
    public event EventHandler<TransferRequestedEventArgs>? TransferRequested;

    /// <inheritdoc />
    public bool IsDialog(TransferReplaces replaces) =>
        _session.Dialog is { } d && new SipReplaces(replaces.CallId, replaces.ToTag, replaces.FromTag, false).Names(d.CallId, d.LocalTag, d.RemoteTag);

    /// <summary>
    /// Asks the remote party to transfer this call (sends REFER, RFC 3515) to <paramref name="referTo"/> (a Refer-To
    /// value, e.g. <c>&lt;sip:1@host?Replaces=…&gt;</c>); completes with the REFER's final status (202 when accepted).
    /// The progress arrives as <see cref="TransferNotified"/>.
    /// </summary>
    public async Task<int> ReferAsync(string referTo, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _notifyHooked, 1) == 0) _session.NotifyReceived += OnNotify;
        var response = await _session.SendReferAsync(referTo, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.StatusCode;
    }

    /// <summary>The status line of each NOTIFY about a REFER this leg sent (RFC 3420 sipfrag, e.g. "SIP/2.0 200 OK").</summary>
    public event EventHandler<string>? TransferNotified;

    private int _notifyHooked;

    private void OnNotify(object? sender, SipInDialogRequestEventArgs e)
    {
        var body = e.Request.Message.BodyText;
        var line = body.Split('\n', 2)[0].TrimEnd('\r');
        TransferNotified?.Invoke(this, line);
    }

    /// <inheritdoc />
    public TransferReplaces? Dialog => _session.Dialog is { } d ? new TransferReplaces(d.CallId, d.LocalTag, d.RemoteTag) : null;

    /// <summary>REFER (RFC 3515) → <see cref="TransferRequested"/>; each progress report becomes a sipfrag NOTIFY.</summary>
    private void OnRefer(object? sender, SipReferEventArgs e)
    {
        var referTo = e.ReferTo;
        var replaces = referTo.Replaces is { } r ? new TransferReplaces(r.CallId, r.ToTag, r.FromTag) : null;
        var args = new TransferRequestedEventArgs(referTo.Target.ToString(), referTo.Target.User ?? "", replaces,
            () => new ReferProgress(e.Accept(), _logger, Id));
        var handler = TransferRequested;
        if (handler is null)
        {
            e.RefuseStatus = 603;
            return;
        }
        handler(this, args);
        LogTransferRequested(_logger, Id, replaces is null ? "blind" : "attended", args.IsAccepted);
        if (!args.IsAccepted) e.RefuseStatus = args.RefuseStatus;
    }

    /// <summary>Reports to the REFER's subscription; a NOTIFY that fails is logged, never thrown at the ACD.</summary>
    private sealed class ReferProgress(SipReferSubscription subscription, ILogger logger, string legId) : ITransferProgress
    {
        public void Report(int sipStatus, string? reason = null) =>
            _ = subscription.NotifyAsync(sipStatus, reason).ContinueWith(t => LogNotifyFailed(logger, t.Exception!.GetBaseException(), legId),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Leg {LegId}: the phone asked for a {Kind} transfer (accepted: {Accepted})")]
    private static partial void LogTransferRequested(ILogger logger, string legId, string kind, bool accepted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leg {LegId}: a transfer NOTIFY could not be sent")]
    private static partial void LogNotifyFailed(ILogger logger, Exception ex, string legId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leg {LegId}: our BYE failed: {Error} (the leg is ended on our side)")]
    private static partial void LogByeFailed(ILogger logger, string legId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leg {LegId} ended: {Cause} ({Status})")]
    private static partial void LogEnded(ILogger logger, string legId, HangupCause cause, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leg {LegId} re-INVITE: we now {Direction}")]
    private static partial void LogReInvite(ILogger logger, string legId, MediaDirection direction);
}
