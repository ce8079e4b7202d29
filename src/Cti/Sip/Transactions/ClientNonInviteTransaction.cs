using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;

namespace Hotline.Cti.Sip.Transactions;

/// <summary>
/// RFC 3261 §17.1.2 (Figure 6): Timer E retransmits (doubling up to T2, at T2 once a 1xx came), Timer F gives up,
/// Timer K absorbs retransmitted finals.
/// </summary>
public sealed class ClientNonInviteTransaction : SipClientTransaction
{
    private readonly SipTransactionTimer _timerE;
    private readonly SipTransactionTimer _timerF;
    private readonly SipTransactionTimer _timerK;

    public ClientNonInviteTransaction(SipMessage request, SipEndPoint remote, ISipSender sender, SipTimerSettings timers, TimeProvider time)
        : base(request, remote, sender, timers, time)
    {
        State = SipTransactionState.Trying;
        _timerE = new SipTransactionTimer(time, OnTimerE);
        _timerF = new SipTransactionTimer(time, OnTimerF);
        _timerK = new SipTransactionTimer(time, OnTimerK);
    }

    public override void Start()
    {
        lock (Gate)
        {
            Sender.Send(Request, Remote);
            if (!Reliable) _timerE.Start(Timers.T1);
            _timerF.Start(Timers.TimeoutInterval);
        }
    }

    internal override void OnResponse(SipMessage response)
    {
        Action? after = null;
        lock (Gate)
        {
            if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding)) return; // Completed absorbs.
            if (response.StatusCode < 200)
            {
                State = SipTransactionState.Proceeding;
                after = () => RaiseProvisional(response);
            }
            else
            {
                State = SipTransactionState.Completed;
                _timerE.Stop();
                _timerF.Stop();
                // §17.1.2.2: Timer K = T4 for unreliable transports, 0 for reliable.
                if (Reliable) Terminate(SipTransactionEnd.Normal);
                else _timerK.Start(Timers.T4);
                after = () => Complete(response);
            }
        }
        after?.Invoke();
    }

    private void OnTimerE()
    {
        lock (Gate)
        {
            if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding)) return;
            Sender.Send(Request, Remote);
            Sender.Retransmitted("E");
            // §17.1.2.2: in Trying min(2E, T2); in Proceeding T2.
            _timerE.Start(State == SipTransactionState.Proceeding ? Timers.T2 : Double(_timerE.Interval, capAtT2: true));
        }
    }

    private void OnTimerF()
    {
        var timedOut = false;
        lock (Gate)
        {
            if (State is SipTransactionState.Trying or SipTransactionState.Proceeding)
            {
                timedOut = true;
                Terminate(SipTransactionEnd.Timeout);
            }
        }
        if (timedOut) CompleteWithTimeout();
    }

    private void OnTimerK()
    {
        lock (Gate)
        {
            if (State == SipTransactionState.Completed) Terminate(SipTransactionEnd.Normal);
        }
    }

    private protected override void DisposeTimers()
    {
        _timerE.Dispose();
        _timerF.Dispose();
        _timerK.Dispose();
    }
}
