using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;

namespace Hotline.Cti.Sip.Transactions;

/// <summary>
/// RFC 3261 §17.2.2 (Figure 8): Trying absorbs retransmissions, Proceeding re-sends the last 1xx, Completed
/// re-sends the final until Timer J (64*T1 unreliable, 0 reliable).
/// </summary>
public sealed class ServerNonInviteTransaction : SipServerTransaction
{
    private readonly SipTransactionTimer _timerJ;

    public ServerNonInviteTransaction(SipMessage request, SipEndPoint remote, ISipSender sender, SipTimerSettings timers, TimeProvider time)
        : base(request, remote, sender, timers, time)
    {
        State = SipTransactionState.Trying;
        _timerJ = new SipTransactionTimer(time, OnTimerJ);
    }

    public override void SendResponse(SipMessage response)
    {
        lock (Gate)
        {
            if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding)) throw AlreadyAnswered(State);
            LastResponse = response;
            Sender.Send(response, Remote);
            if (response.StatusCode < 200)
            {
                State = SipTransactionState.Proceeding;
                return;
            }
            State = SipTransactionState.Completed;
            if (Reliable) Terminate(SipTransactionEnd.Normal);
            else _timerJ.Start(Timers.TimeoutInterval);
        }
    }

    internal override void OnRetransmission()
    {
        lock (Gate)
        {
            if (State is SipTransactionState.Proceeding or SipTransactionState.Completed && LastResponse is not null)
            {
                Sender.Send(LastResponse, Remote);
                Sender.Retransmitted("peer");
            }
        }
    }

    private void OnTimerJ()
    {
        lock (Gate)
        {
            if (State == SipTransactionState.Completed) Terminate(SipTransactionEnd.Normal);
        }
    }

    private protected override void DisposeTimers() => _timerJ.Dispose();
}
