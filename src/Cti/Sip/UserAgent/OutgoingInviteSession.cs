using Hotline.Cti.Sip.Dialogs;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transactions;
using Hotline.Cti.Sip.Transport;

namespace Hotline.Cti.Sip.UserAgent;

/// <summary>What to put in an outbound INVITE.</summary>
public sealed record InviteRequest
{
    /// <summary>Request-URI and To: a registered contact or any SIP URI.</summary>
    public required SipUri Target { get; init; }

    /// <summary>User part of our From (the caller id).</summary>
    public string FromUser { get; init; } = "hotline";

    public string? FromDisplayName { get; init; }

    /// <summary>The SDP offer.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    public string ContentType { get; init; } = "application/sdp";

    /// <summary>Extra headers (e.g. X-Hotline-Call).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}

/// <summary>
/// An INVITE we sent (UAC, RFC 3261 §13.2): reports 1xx, ACKs a 2xx itself (§13.2.2.4, again for each
/// retransmitted 2xx), and can be cancelled (§9.1; deferred until a provisional arrived).
/// </summary>
public sealed class OutgoingInviteSession : SipInviteSession
{
    private readonly TaskCompletionSource<SipMessage> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SipMessage? _ack;
    private SipEndPoint? _ackTo;
    private bool _cancelRequested;
    private string? _cancelReason;

    /// <summary>
    /// RFC 3326 §2 with the cause phones and proxies use for a forked or parallel ring another device answered:
    /// the phone does not count the call as missed (RFC 3261 §9.1 leaves the CANCEL's reason to this header).
    /// </summary>
    public const string CompletedElsewhere = "SIP;cause=200;text=\"Call completed elsewhere\"";
    private bool _provisionalSeen;

    public override Transport.SipProtocol Protocol => Transaction.Remote.Protocol;

    internal OutgoingInviteSession(SipUserAgent userAgent, SipMessage invite, ClientInviteTransaction transaction)
        : base(userAgent, invite.CallId)
    {
        Invite = invite;
        Transaction = transaction;
        LocalBody = invite.Body;
        LocalContentType = invite.ContentType;
        transaction.ProvisionalReceived += OnProvisional;
        transaction.SuccessRetransmitted += OnSuccessRetransmitted;
        transaction.FinalResponse.ContinueWith(t => OnFinal(t.Result), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    public SipMessage Invite { get; }

    public ClientInviteTransaction Transaction { get; }

    /// <summary>Each 1xx (180 Ringing, 183 Session Progress…).</summary>
    public event EventHandler<SipMessage>? ProvisionalReceived;

    /// <summary>The final response: 2xx (the session is Connected, its body is the SDP answer) or the failure.</summary>
    public Task<SipMessage> Answer => _answer.Task;

    /// <summary>
    /// The 2xx crossed our CANCEL (§9.1): the session ACKed it and hangs up with BYE, so the call did not get through.
    /// Set before <see cref="Answer"/> completes.
    /// </summary>
    public bool CancelledAfterAnswer { get; private set; }

    /// <summary>
    /// CANCEL the INVITE if not answered yet (§9.1). Safe to call at any time, more than once (the first call's
    /// <paramref name="reason"/> is kept). <paramref name="reason"/>: a <c>Reason</c> header value for the CANCEL
    /// (RFC 3326), e.g. <see cref="CompletedElsewhere"/>; null for none.
    /// </summary>
    public void Cancel(string? reason = null)
    {
        lock (Gate)
        {
            if (State != SipSessionState.Offering || _cancelRequested) return;
            _cancelRequested = true;
            _cancelReason = reason;
            // §9.1: a CANCEL must not be sent before a provisional response arrived. Sent under the lock the 2xx's ACK
            // is sent under (OnFinal): the peer never gets our CANCEL after our ACK, which it could only answer 481.
            if (_provisionalSeen) SendCancel();
        }
    }

    private void OnProvisional(SipMessage response)
    {
        lock (Gate)
        {
            if (_cancelRequested && !_provisionalSeen && State == SipSessionState.Offering) SendCancel();
            _provisionalSeen = true;
        }
        if (response.StatusCode > 100) ProvisionalReceived?.Invoke(this, response);
    }

    /// <summary>§9.1 (called under <c>Gate</c>): CANCEL copies Request-URI, Call-ID, From, To, CSeq number and the top Via (same branch) of the INVITE.</summary>
    private void SendCancel()
    {
        var cancel = SipMessage.CreateRequest(SipMethods.Cancel, Invite.RequestUri!);
        cancel.AddHeader(SipHeaderNames.Via, Invite.TopVia!.ToString());
        foreach (var h in Invite.Headers)
            if (h.Id is SipHeaderId.From or SipHeaderId.To or SipHeaderId.CallId or SipHeaderId.Route or SipHeaderId.MaxForwards) cancel.AddHeader(h);
        cancel.AddHeader(SipHeaderNames.CSeq, new SipCSeq(Invite.CSeq.Number, SipMethods.Cancel).ToString());
        if (_cancelReason is not null) cancel.AddHeader("Reason", _cancelReason);
        UserAgent.StartClientTransaction(cancel, Transaction.Remote);
        Transaction.OnCancelSent();
    }

    private void OnFinal(SipMessage response)
    {
        if (response.StatusCode is >= 200 and < 300)
        {
            var dialog = SipDialog.CreateUac(Invite, response);
            SipEndPoint nextHop;
            try
            {
                // Looked up before the lock (a host name is a DNS query): a 1xx or 2xx copy of this call waits on it.
                nextHop = SipAddressResolver.Resolve(dialog.NextHop());
            }
            catch (Exception ex) when (ex is ArgumentException or System.Net.Sockets.SocketException)
            {
                // Nowhere to send the ACK or a BYE: the far end gives up on its unacknowledged 2xx (§13.3.1.4).
                _answer.TrySetException(new InvalidOperationException($"The 2xx's Contact cannot be reached: {ex.Message}", ex));
                End(SipSessionEndReason.Rejected, response.StatusCode);
                return;
            }
            bool cancelAfterAnswer;
            lock (Gate)
            {
                Dialog = dialog;
                // In the core's table before anyone can see Connected: a hang-up racing this 2xx (the ACD giving up on
                // the dial as the agent answered) ends the session and takes it out again. Remembered after the lock,
                // a hang-up in between left a dead session in the table for good (the soak of 5 Dec 2026).
                UserAgent.Remember(this, dialog);
                State = SipSessionState.Connected;
                cancelAfterAnswer = _cancelRequested;
                CancelledAfterAnswer = cancelAfterAnswer;
                // The ACK under the lock too: a BYE of ours (HangupAsync checks the state under it) never overtakes it,
                // or a phone still waiting for the ACK takes the BYE for a stray and drops the call without answering.
                SendAck(nextHop);
            }
            _answer.TrySetResult(response);
            // §9.1: a CANCEL that crossed the 2xx has no effect on the call; the caller wanted it gone: BYE.
            if (cancelAfterAnswer) _ = HangupAsync();
            return;
        }
        _answer.TrySetResult(response);
        End(response.StatusCode == 487 ? SipSessionEndReason.Cancelled :
            response.StatusCode == 408 && Transaction.EndReason == SipTransactionEnd.Timeout ? SipSessionEndReason.Timeout : SipSessionEndReason.Rejected,
            response.StatusCode);
    }

    /// <summary>
    /// §13.2.2.4 (called under <c>Gate</c>): the ACK for a 2xx is built by the dialog, with the INVITE's CSeq number,
    /// and sent end to end.
    /// </summary>
    private void SendAck(SipEndPoint nextHop)
    {
        var ack = Dialog!.CreateRequest(SipMethods.Ack, Invite.CSeq.Number);
        foreach (var h in Invite.Headers)
            if (h.Id == SipHeaderId.Authorization) ack.AddHeader(h);
        _ack = ack;
        _ackTo = nextHop;
        UserAgent.SendAck(nextHop, ack);
    }

    private void OnSuccessRetransmitted(SipMessage response)
    {
        SipMessage? ack;
        SipEndPoint? to;
        lock (Gate) (ack, to) = (_ack, _ackTo);
        if (ack is not null && to is { } destination) UserAgent.SendAck(destination, ack, reuseVia: true);
    }

    /// <summary>A 2xx retransmission seen after the transaction ended: re-ACK (§13.2.2.4).</summary>
    internal void OnLateSuccess(SipMessage response) => OnSuccessRetransmitted(response);
}
