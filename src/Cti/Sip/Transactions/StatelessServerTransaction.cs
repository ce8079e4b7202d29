using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;

namespace Hotline.Cti.Sip.Transactions;

/// <summary>
/// A stateless UAS answer (RFC 3261 §8.2.7): the response is sent once and nothing is kept; a retransmitted
/// request is simply answered again. Used for out-of-dialog OPTIONS, whose answer is idempotent and cheap.
/// </summary>
public sealed class StatelessServerTransaction : SipServerTransaction
{
    public StatelessServerTransaction(SipMessage request, SipEndPoint remote, ISipSender sender, SipTimerSettings timers, TimeProvider time)
        : base(request, remote, sender, timers, time)
    {
        State = SipTransactionState.Trying;
    }

    public override void SendResponse(SipMessage response)
    {
        lock (Gate)
        {
            if (State != SipTransactionState.Trying) throw AlreadyAnswered(State);
            LastResponse = response;
            if (response.StatusCode >= 200) State = SipTransactionState.Terminated;
        }
        Sender.Send(response, Remote);
    }

    internal override void OnRetransmission()
    {
    }

    private protected override void DisposeTimers()
    {
    }
}
