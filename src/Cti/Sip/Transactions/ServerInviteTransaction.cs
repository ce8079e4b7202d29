using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;

namespace Hotline.Cti.Sip.Transactions;

/// <summary>
/// RFC 3261 §17.2.1 (Figure 7) with RFC 6026's Accepted state: a non-2xx final is retransmitted on Timer G until
/// the ACK (Timer H gives up, Timer I absorbs ACK copies); a 2xx is retransmitted at T1 doubling to T2 until the
/// dialog reports its ACK (§13.3.1.4), for at most 64*T1 (Timer L).
/// </summary>
public sealed class ServerInviteTransaction : SipServerTransaction
{
    private readonly SipTransactionTimer _timerG;
    private readonly SipTransactionTimer _timerH;
    private readonly SipTransactionTimer _timerI;
    private readonly TaskCompletionSource<bool> _acknowledged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ServerInviteTransaction(SipMessage request, SipEndPoint remote, ISipSender sender, SipTimerSettings timers, TimeProvider time)
        : base(request, remote, sender, timers, time)
    {
        State = SipTransactionState.Proceeding;
        _timerG = new SipTransactionTimer(time, OnTimerG);
        _timerH = new SipTransactionTimer(time, OnTimerH);
        _timerI = new SipTransactionTimer(time, OnTimerI);
    }

    /// <summary>True when the final response was ACKed; false when Timer H/L fired first.</summary>
    public Task<bool> Acknowledged => _acknowledged.Task;

    /// <summary>Whether a CANCEL already ended this INVITE (§9.2).</summary>
    public bool IsCancelled { get; internal set; }

    public override void SendResponse(SipMessage response)
    {
        lock (Gate)
        {
            if (State != SipTransactionState.Proceeding) throw AlreadyAnswered(State);
            LastResponse = response;
            Sender.Send(response, Remote);
            if (response.StatusCode < 200) return;
            // §17.2.1 (non-2xx) and §13.3.1.4 (2xx): retransmit at T1, doubling to T2, over unreliable transports.
            State = response.StatusCode < 300 ? SipTransactionState.Accepted : SipTransactionState.Completed;
            if (!Reliable) _timerG.Start(Timers.T1);
            _timerH.Start(Timers.TimeoutInterval); // Timer H, or Timer L in Accepted (RFC 6026 §7.1).
        }
    }

    internal override void OnRetransmission()
    {
        lock (Gate)
        {
            // §17.2.1: Proceeding and Completed re-send the last response; Accepted absorbs (RFC 6026 §7.1).
            if (State is SipTransactionState.Proceeding or SipTransactionState.Completed && LastResponse is not null)
            {
                Sender.Send(LastResponse, Remote);
                Sender.Retransmitted("peer");
            }
        }
    }

    /// <summary>The ACK for a non-2xx final (same transaction, §17.2.3).</summary>
    internal void OnAck()
    {
        lock (Gate)
        {
            if (State != SipTransactionState.Completed) return;
            State = SipTransactionState.Confirmed;
            _timerG.Stop();
            _timerH.Stop();
            // §17.2.1: Timer I = T4 for unreliable transports, 0 for reliable.
            if (Reliable) Terminate(SipTransactionEnd.Normal);
            else _timerI.Start(Timers.T4);
        }
        _acknowledged.TrySetResult(true);
    }

    /// <summary>The dialog received the ACK for our 2xx (a separate transaction, §13.3.1.4): stop retransmitting.</summary>
    public void OnSuccessAcknowledged()
    {
        lock (Gate)
        {
            if (State != SipTransactionState.Accepted) return;
            _timerG.Stop();
            // RFC 6026 §7.1: stay in Accepted until Timer L to absorb INVITE retransmissions.
        }
        _acknowledged.TrySetResult(true);
    }

    private void OnTimerG()
    {
        lock (Gate)
        {
            if (State is not (SipTransactionState.Completed or SipTransactionState.Accepted) || _acknowledged.Task.IsCompleted) return;
            Sender.Send(LastResponse!, Remote);
            Sender.Retransmitted("G");
            _timerG.Start(Double(_timerG.Interval, capAtT2: true));
        }
    }

    private void OnTimerH()
    {
        var unacknowledged = false;
        lock (Gate)
        {
            if (State is SipTransactionState.Completed or SipTransactionState.Accepted)
            {
                unacknowledged = !_acknowledged.Task.IsCompleted;
                Terminate(unacknowledged ? SipTransactionEnd.Timeout : SipTransactionEnd.Normal);
            }
        }
        if (unacknowledged) _acknowledged.TrySetResult(false);
    }

    private void OnTimerI()
    {
        lock (Gate)
        {
            if (State == SipTransactionState.Confirmed) Terminate(SipTransactionEnd.Normal);
        }
    }

    private protected override void DisposeTimers()
    {
        _timerG.Dispose();
        _timerH.Dispose();
        _timerI.Dispose();
    }
}
