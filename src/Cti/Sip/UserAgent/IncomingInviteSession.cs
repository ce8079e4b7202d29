using Hotline.Cti.Sip.Dialogs;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transactions;
using Hotline.Cti.Sip.Transport;

namespace Hotline.Cti.Sip.UserAgent;

/// <summary>
/// An INVITE we received (UAS, RFC 3261 §13.3): ring, answer with a session description, or reject; a CANCEL
/// before the answer ends it with 487 (§9.2).
/// </summary>
public sealed class IncomingInviteSession : SipInviteSession
{
    internal IncomingInviteSession(SipUserAgent userAgent, ServerRequest request)
        : base(userAgent, request.Message.CallId)
    {
        Request = request;
        LocalTag = SipIdentifiers.NewTag();
    }

    public ServerRequest Request { get; }

    public SipMessage Invite => Request.Message;

    public ServerInviteTransaction Transaction => (ServerInviteTransaction)Request.Transaction;

    public SipEndPoint Source => Request.Source;

    public override SipProtocol Protocol => Source.Protocol;

    /// <summary>Our To tag for every response (§8.2.6.2), fixed up front so 1xx and 2xx agree.</summary>
    public string LocalTag { get; }

    /// <summary>The SDP offer (may be empty: offer in the 2xx, answer in the ACK, §13.2.1).</summary>
    public ReadOnlyMemory<byte> OfferBody => Invite.Body;

    public string? OfferContentType => Invite.ContentType;

    /// <summary>The calling user (From URI user part).</summary>
    public string CallerUser => Invite.From?.Uri.User ?? "";

    public string CallerDisplayName => Invite.From?.DisplayName ?? "";

    /// <summary>The number dialled (Request-URI user part).</summary>
    public string DialedUser => Invite.RequestUri?.User ?? "";

    /// <summary>The ACK that confirmed our 2xx, once it came (may carry the answer to an offer in our 2xx).</summary>
    public SipMessage? Ack { get; private set; }

    /// <summary>Raised when a CANCEL ended the INVITE before it was answered.</summary>
    public event EventHandler? Cancelled;

    /// <summary>Sends a provisional response (180 Ringing, 183 with early media); establishes the early dialog.</summary>
    public void SendProvisional(int statusCode = 180, ReadOnlyMemory<byte> body = default, string? contentType = null)
    {
        if (statusCode is <= 100 or >= 200) throw new ArgumentOutOfRangeException(nameof(statusCode), "A provisional response is 101-199.");
        lock (Gate)
        {
            if (State != SipSessionState.Offering || Transaction.IsCancelled) return;
            EnsureDialog();
            // Under the lock, as the 200 is: never after it.
            try
            {
                Request.Respond(statusCode, toTag: LocalTag, configure: r =>
                {
                    r.AddHeader(SipHeaderNames.Contact, Contact);
                    if (contentType is not null)
                    {
                        r.AddHeader(SipHeaderNames.ContentType, contentType);
                        r.Body = body;
                    }
                });
            }
            catch (InvalidOperationException) when (Transaction.IsCancelled)
            {
                // A CANCEL's 487 went first (§9.2): the session ends as cancelled.
            }
        }
    }

    /// <summary>
    /// Answers 200 OK with <paramref name="body"/> (§13.3.1.4), retransmitted until the ACK. Completes true on the
    /// ACK; false if none came within 64*T1, in which case the session sends BYE and ends.
    /// </summary>
    public async Task<bool> AcceptAsync(ReadOnlyMemory<byte> body, string contentType = "application/sdp")
    {
        lock (Gate)
        {
            if (State != SipSessionState.Offering || Transaction.IsCancelled)
                throw new InvalidOperationException($"Cannot answer a session in state {State}{(Transaction.IsCancelled ? " (cancelled)" : "")}.");
            EnsureDialog();
            LocalBody = body;
            LocalContentType = contentType;
            // The 200 under the lock, before anyone can see Connected: a BYE of ours (HangupAsync checks the state
            // under it) never goes out ahead of the 200 it ends. Throws when a CANCEL's 487 went first (§9.2).
            Request.Respond(200, toTag: LocalTag, configure: AddLocalBody);
            State = SipSessionState.Connected;
        }
        var acknowledged = await Transaction.Acknowledged.ConfigureAwait(false);
        if (!acknowledged)
        {
            // §13.3.1.4: no ACK for the 2xx within 64*T1: confirm the dialog and end it with BYE (not awaited:
            // the caller learns the outcome now, the BYE transaction finishes on its own).
            _ = HangupAsync();
        }
        return acknowledged;
    }

    /// <summary>Refuses the call with a final non-2xx response (486, 480, 404, 603…).</summary>
    public void Reject(int statusCode, string? reasonPhrase = null) => Reject(statusCode, reasonPhrase, null);

    /// <summary>Refuses the call with extra headers (a 407's Proxy-Authenticate, a 503's Retry-After).</summary>
    public void Reject(int statusCode, string? reasonPhrase, Action<SipMessage>? configure)
    {
        if (statusCode < 300) throw new ArgumentOutOfRangeException(nameof(statusCode), "A rejection is 300-699.");
        var sent = false;
        lock (Gate)
        {
            if (State != SipSessionState.Offering) return;
            try
            {
                if (!Transaction.IsAnswered)
                {
                    Request.Respond(statusCode, reasonPhrase, configure, toTag: LocalTag);
                    sent = true;
                }
            }
            catch (InvalidOperationException)
            {
                // The core answered it meanwhile (a CANCEL's 487, §9.2).
            }
        }
        // Answered by the core (a CANCEL this session was not yet registered to hear of): ended all the same, or the
        // caller's leg would wait for an end that never comes and keep its media.
        if (sent) End(SipSessionEndReason.Rejected, statusCode);
        else End(Transaction.IsCancelled ? SipSessionEndReason.Cancelled : SipSessionEndReason.Rejected, Transaction.LastResponse?.StatusCode ?? statusCode);
    }

    /// <summary>§15: our BYE waits for the ACK of our 200 (or Timer H), unless it came or the 200 is not ours yet.</summary>
    private protected override Task<bool>? AckDueBeforeBye() =>
        Ack is null && !Transaction.Acknowledged.IsCompleted ? Transaction.Acknowledged : null;

    private void EnsureDialog()
    {
        if (Dialog is not null) return;
        Dialog = SipDialog.CreateUas(Invite, LocalTag);
        UserAgent.Remember(this, Dialog);
    }

    internal override void OnAck(SipMessage ack)
    {
        var first = false;
        lock (Gate)
        {
            // Connected, or Ended by a hang-up whose BYE waits for this ACK (§15, HangupAsync).
            if (Ack is null && State != SipSessionState.Offering)
            {
                Ack = ack;
                Dialog!.Confirm();
                first = true;
            }
        }
        if (first) Transaction.OnSuccessAcknowledged();
        else base.OnAck(ack);
    }

    /// <summary>
    /// §9.2: the CANCEL matched our INVITE before a final response; the core already sent 487. Once, whichever of the
    /// CANCEL's handling and the INVITE's registration saw the other first.
    /// </summary>
    internal void OnCancelled()
    {
        if (Interlocked.Exchange(ref _cancelled, 1) != 0) return;
        End(SipSessionEndReason.Cancelled, 487);
        Cancelled?.Invoke(this, EventArgs.Empty);
    }

    private int _cancelled;

    /// <summary>
    /// A BYE on this session's dialog, before it is marked ended. On the early dialog (§15.1.2) the INVITE still
    /// pending is answered 487, or its server transaction would wait for an answer for good. After our 200 but before
    /// its ACK (the ACK a packet behind, on another receive loop): the BYE shows the 200 arrived, so the 200 stops
    /// being retransmitted at a caller who has hung up.
    /// </summary>
    private protected override void OnRemoteBye()
    {
        bool early, unacknowledged;
        lock (Gate)
        {
            early = State == SipSessionState.Offering;
            unacknowledged = State != SipSessionState.Offering && Ack is null; // Connected, or a hang-up waiting for the ACK
        }
        if (early && !Transaction.IsAnswered)
        {
            try
            {
                Request.Respond(487, toTag: LocalTag);
            }
            catch (InvalidOperationException)
            {
                // Answered meanwhile: nothing pending.
            }
        }
        if (unacknowledged) Transaction.OnSuccessAcknowledged();
    }
}
