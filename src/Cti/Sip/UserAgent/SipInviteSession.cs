using Hotline.Cti.Sip.Dialogs;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transactions;

namespace Hotline.Cti.Sip.UserAgent;

/// <summary>Where an INVITE session is.</summary>
public enum SipSessionState
{
    /// <summary>INVITE sent or received, no final answer yet.</summary>
    Offering,
    /// <summary>2xx exchanged.</summary>
    Connected,
    Ended,
}

/// <summary>Why a session ended.</summary>
public enum SipSessionEndReason
{
    RemoteBye,
    LocalBye,
    /// <summary>The caller sent CANCEL before we answered (§9.2), or we cancelled our INVITE.</summary>
    Cancelled,
    /// <summary>A non-2xx final response ended the INVITE.</summary>
    Rejected,
    /// <summary>Our 2xx was never ACKed (§13.3.1.4), or the INVITE timed out.</summary>
    Timeout,
}

public sealed class SipSessionEndedEventArgs(SipSessionEndReason reason, int statusCode) : EventArgs
{
    public SipSessionEndReason Reason { get; } = reason;

    /// <summary>The final status when a response ended it (486, 487, 408…), else 0.</summary>
    public int StatusCode { get; } = statusCode;
}

/// <summary>
/// The INVITE usage of a dialog (RFC 3261 §13–§15) shared by both directions: BYE, INFO, re-INVITE, in-dialog
/// OPTIONS. One lock guards the state; events are raised outside it.
/// </summary>
public abstract class SipInviteSession
{
    private int _ended;
    private ServerInviteTransaction? _pendingReInvite;

    private protected SipInviteSession(SipUserAgent userAgent, string callId)
    {
        UserAgent = userAgent;
        CallId = callId;
    }

    private protected SipUserAgent UserAgent { get; }
    private protected Lock Gate { get; } = new();

    public string CallId { get; }

    public SipDialog? Dialog { get; private protected set; }

    /// <summary>The transport the dialog runs over: our Contact says the same (<c>transport=tls</c> over TLS).</summary>
    public abstract Transport.SipProtocol Protocol { get; }

    /// <summary>Our Contact for this dialog's transport.</summary>
    private protected string Contact => UserAgent.ContactHeader(Protocol);

    public SipSessionState State { get; private protected set; } = SipSessionState.Offering;

    /// <summary>The last session description we sent (offer or answer), re-used to answer a re-INVITE.</summary>
    public ReadOnlyMemory<byte> LocalBody { get; private protected set; }

    public string? LocalContentType { get; private protected set; }

    /// <summary>Raised once, whoever ended the session (not replayed: a late listener checks <see cref="EndedWith"/>).</summary>
    public event EventHandler<SipSessionEndedEventArgs>? Ended;

    /// <summary>
    /// How the session ended, set just before <see cref="Ended"/> is raised (null until then). A listener that
    /// subscribes after the session may already have ended (a CANCEL racing the INVITE's routing) reads it after
    /// subscribing: either it is set, or the event is still to come.
    /// </summary>
    public SipSessionEndedEventArgs? EndedWith => Volatile.Read(ref _endedWith);

    private SipSessionEndedEventArgs? _endedWith;

    /// <summary>INFO in the dialog (e.g. <c>application/dtmf-relay</c>); answered 200 unless a handler sets Handled.</summary>
    public event EventHandler<SipInDialogRequestEventArgs>? InfoReceived;

    /// <summary>A re-INVITE (§14.2); answered 200 with <see cref="LocalBody"/> unless a handler sets Handled.</summary>
    public event EventHandler<SipInDialogRequestEventArgs>? ReInviteReceived;

    /// <summary>
    /// A REFER in the dialog (RFC 3515 §2.4.2) with a valid Refer-To; a handler accepts it (202 + NOTIFYs) or it is
    /// refused (603). A malformed one is answered 400 here and never raised.
    /// </summary>
    public event EventHandler<SipReferEventArgs>? ReferReceived;

    /// <summary>
    /// NOTIFY in the dialog: the progress of a REFER we sent (RFC 3515 §2.4.4, sipfrag body). Answered 200 when
    /// someone listens, else 481 (RFC 6665 §4.1.3: no such subscription).
    /// </summary>
    public event EventHandler<SipInDialogRequestEventArgs>? NotifyReceived;

    /// <summary>Sends an in-dialog REFER (RFC 3515 §2.4.1) with <paramref name="referTo"/>; completes with its final response.</summary>
    public Task<SipMessage> SendReferAsync(string referTo, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        var dialog = Dialog ?? throw new InvalidOperationException("REFER needs an established dialog.");
        var refer = dialog.CreateRequest(SipMethods.Refer);
        refer.AddHeader(SipReferTo.HeaderName, referTo);
        refer.AddHeader(SipHeaderNames.Contact, Contact);
        if (headers is not null)
            foreach (var (k, v) in headers) refer.AddHeader(k, v);
        return UserAgent.SendInDialog(dialog, refer).FinalResponse.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Sends BYE (§15.1.1) and ends the session; completes with the BYE's final response (null when there was nothing
    /// to end, or the peer's own BYE ended it while ours waited for the ACK, below).
    /// </summary>
    /// <remarks>
    /// §15: a callee must not send BYE on a confirmed dialog before the ACK of its 2xx arrived or the server transaction
    /// timed out. Hanging up in that window (the ACK a packet behind the 200) ends the session for its users at once,
    /// as any hang-up does, so a phone that never ACKs does not hold the call's end for 64*T1; the dialog stays known
    /// to the core until the ACK comes (or the peer's BYE, or Timer H), and the BYE leaves then.
    /// <paramref name="cancellationToken"/> ends only the wait for the BYE's answer.
    /// </remarks>
    public async Task<SipMessage?> HangupAsync(CancellationToken cancellationToken = default)
    {
        SipDialog? dialog;
        Task<bool>? ackDue;
        lock (Gate)
        {
            if (State != SipSessionState.Connected || Dialog is null) return null;
            dialog = Dialog;
            State = SipSessionState.Ended;
            ackDue = AckDueBeforeBye();
        }
        if (ackDue is not null)
        {
            End(SipSessionEndReason.LocalBye, 0, keepDialog: true);
            await ackDue.ConfigureAwait(false); // the ACK, the peer's BYE or Timer H: it always completes
            if (Volatile.Read(ref _remoteBye) != 0)
            {
                ReleaseDialog(); // the peer hung up meanwhile and was answered 200: nothing left to end
                return null;
            }
        }
        SipClientTransaction tx;
        try
        {
            tx = UserAgent.SendInDialog(dialog, dialog.CreateRequest(SipMethods.Bye));
        }
        finally
        {
            // Ended even when the BYE cannot be sent (its target does not resolve).
            if (ackDue is null) End(SipSessionEndReason.LocalBye, 0);
            else ReleaseDialog();
        }
        return await tx.FinalResponse.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Under <see cref="Gate"/>, as a hang-up of a connected session begins: what its BYE must wait for (§15: the ACK
    /// of the callee's 2xx, completing false at Timer H), or null when it may leave now.
    /// </summary>
    private protected virtual Task<bool>? AckDueBeforeBye() => null;

    private int _remoteBye;

    /// <summary>Sends an in-dialog INFO (e.g. DTMF relay) and completes with its final response.</summary>
    public Task<SipMessage> SendInfoAsync(string contentType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        var dialog = Dialog ?? throw new InvalidOperationException("INFO needs an established dialog.");
        var info = dialog.CreateRequest(SipMethods.Info);
        info.AddHeader(SipHeaderNames.ContentType, contentType);
        info.Body = body;
        return UserAgent.SendInDialog(dialog, info).FinalResponse.WaitAsync(cancellationToken);
    }

    /// <summary>A request matched to this session's dialog (§12.2.2).</summary>
    internal void OnInDialogRequest(ServerRequest request)
    {
        var message = request.Message;
        if (!Dialog!.AcceptRemoteSequence(message))
        {
            request.Respond(500, "Server Internal Error (CSeq out of order)");
            return;
        }
        if (Volatile.Read(ref _ended) != 0 && message.Method != SipMethods.Bye)
        {
            // Ended, its dialog kept only until the ACK lets our BYE go (HangupAsync): nothing else is served.
            request.Respond(481);
            return;
        }
        switch (message.Method)
        {
            case SipMethods.Bye:
                request.Respond(200);
                Volatile.Write(ref _remoteBye, 1); // before OnRemoteBye, which may release a hang-up waiting for the ACK
                OnRemoteBye();
                lock (Gate) State = SipSessionState.Ended;
                End(SipSessionEndReason.RemoteBye, 0);
                break;
            case SipMethods.Info:
                Dispatch(InfoReceived, request, respondOk: true);
                break;
            case SipMethods.Invite:
                OnReInvite(request);
                break;
            case SipMethods.Refer:
                OnRefer(request);
                break;
            case SipMethods.Notify when NotifyReceived is null:
                request.Respond(481);
                break;
            case SipMethods.Notify:
                Dispatch(NotifyReceived, request, respondOk: true);
                break;
            case SipMethods.Options:
                request.Respond(200, configure: r => r.AddHeader(SipHeaderNames.Allow, UserAgent.Options.Allow));
                break;
            default:
                request.Respond(501, configure: r => r.AddHeader(SipHeaderNames.Allow, UserAgent.Options.Allow));
                break;
        }
    }

    private void OnReInvite(ServerRequest request)
    {
        lock (Gate)
        {
            if (_pendingReInvite is { IsAnswered: false })
            {
                // §14.2: a re-INVITE while another is pending gets 500 with Retry-After.
                request.Respond(500, configure: r => r.AddHeader(SipHeaderNames.RetryAfter, "1"));
                return;
            }
            _pendingReInvite = (ServerInviteTransaction)request.Transaction;
        }
        Dialog!.RefreshTarget(request.Message);
        var args = new SipInDialogRequestEventArgs(request);
        ReInviteReceived?.Invoke(this, args);
        if (!args.Handled && !request.Transaction.IsAnswered) request.Respond(200, configure: AddLocalBody, toTag: Dialog.LocalTag);
    }

    /// <summary>RFC 3515 §2.4.1–§2.4.4 (and RFC 4488 Refer-Sub): validate, ask the user, 202 + NOTIFY 100 or refuse.</summary>
    private void OnRefer(ServerRequest request)
    {
        var message = request.Message;
        SipDialog dialog;
        lock (Gate)
        {
            if (State != SipSessionState.Connected || Dialog is null)
            {
                request.Respond(403, "Forbidden (the call is not established)");
                return;
            }
            dialog = Dialog;
        }
        if (!SipReferTo.TryRead(message, out var referTo, out var error))
        {
            request.Respond(400, "Bad Request (" + error + ")"); // §2.4.1: exactly one Refer-To.
            return;
        }
        var subscribe = !string.Equals(message.GetHeader(ReferSubHeader)?.Trim(), "false", StringComparison.OrdinalIgnoreCase);
        var args = new SipReferEventArgs(request, referTo, subscribe, () =>
        {
            var subscription = new SipReferSubscription(UserAgent, dialog, message.CSeq.Number, subscribe);
            request.Respond(202, toTag: dialog.LocalTag, configure: r =>
            {
                r.AddHeader(SipHeaderNames.Contact, Contact);
                if (!subscribe) r.AddHeader(ReferSubHeader, "false"); // RFC 4488 §4: no implicit subscription.
            });
            // RFC 3515 §2.4.4: the first NOTIFY follows the 202 at once, reporting that the request is being tried.
            _ = subscription.NotifyAsync(100).ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            return subscription;
        });
        ReferReceived?.Invoke(this, args);
        if (!args.IsAccepted && !request.Transaction.IsAnswered) request.Respond(args.RefuseStatus, toTag: dialog.LocalTag);
    }

    /// <summary>RFC 4488 §5.</summary>
    public const string ReferSubHeader = "Refer-Sub";

    private void Dispatch(EventHandler<SipInDialogRequestEventArgs>? handler, ServerRequest request, bool respondOk)
    {
        var args = new SipInDialogRequestEventArgs(request);
        handler?.Invoke(this, args);
        if (respondOk && !args.Handled && !request.Transaction.IsAnswered) request.Respond(200);
    }

    /// <summary>A BYE arrived on the dialog and was answered 200; the session is marked ended after this.</summary>
    private protected virtual void OnRemoteBye()
    {
    }

    /// <summary>An ACK matched to this dialog: for our 2xx to the initial INVITE or to a re-INVITE (§13.3.1.4).</summary>
    internal virtual void OnAck(SipMessage ack)
    {
        ServerInviteTransaction? reInvite;
        lock (Gate) reInvite = _pendingReInvite;
        reInvite?.OnSuccessAcknowledged();
    }

    /// <summary>Adds Contact and our last session description to a 2xx.</summary>
    private protected void AddLocalBody(SipMessage response)
    {
        response.AddHeader(SipHeaderNames.Contact, Contact);
        response.AddHeader(SipHeaderNames.Allow, UserAgent.Options.Allow);
        if (LocalContentType is not null)
        {
            response.AddHeader(SipHeaderNames.ContentType, LocalContentType);
            response.Body = LocalBody;
        }
    }

    /// <summary>
    /// Ends once: removes the dialog from the core (unless <paramref name="keepDialog"/>: a BYE still to be sent, see
    /// <see cref="HangupAsync"/>, which then calls <see cref="ReleaseDialog"/>) and raises <see cref="Ended"/>.
    /// </summary>
    private protected void End(SipSessionEndReason reason, int status, bool keepDialog = false)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0) return;
        lock (Gate) State = SipSessionState.Ended;
        if (!keepDialog) ReleaseDialog();
        var args = new SipSessionEndedEventArgs(reason, status);
        // A full fence (not a release write): a listener subscribes, then reads EndedWith; without it this store could
        // still sit in the store buffer when the read of Ended below finds no listener, and both would miss the end.
        Interlocked.Exchange(ref _endedWith, args);
        Ended?.Invoke(this, args);
    }

    private void ReleaseDialog()
    {
        Dialog?.Terminate();
        UserAgent.Forget(this);
    }
}
