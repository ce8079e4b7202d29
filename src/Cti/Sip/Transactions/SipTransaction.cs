using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;

namespace Hotline.Cti.Sip.Transactions;

/// <summary>What every transaction shares: its key, state, destination, timers and the door to the transport.</summary>
public abstract class SipTransaction
{
    private Action<SipTransaction>? _terminated;

    private protected SipTransaction(string key, SipMessage request, SipEndPoint remote, ISipSender sender, SipTimerSettings timers, TimeProvider time)
    {
        Key = key;
        Request = request;
        Remote = remote;
        Sender = sender;
        Timers = timers;
        Time = time;
    }

    public string Key { get; }

    /// <summary>The request that created the transaction.</summary>
    public SipMessage Request { get; }

    /// <summary>The peer: where responses (server) or requests (client) go.</summary>
    public SipEndPoint Remote { get; }

    public SipTransactionState State { get; private protected set; }

    public SipTransactionEnd EndReason { get; private set; }

    private protected ISipSender Sender { get; }
    private protected SipTimerSettings Timers { get; }
    private protected TimeProvider Time { get; }
    private protected Lock Gate { get; } = new();
    private protected bool Reliable => Remote.IsReliable;

    /// <summary>Set by the table: removes the entry when the machine reaches Terminated.</summary>
    internal void OnTerminated(Action<SipTransaction> callback) => _terminated = callback;

    /// <summary>Moves to Terminated once, disposing timers (call under <see cref="Gate"/>).</summary>
    private protected void Terminate(SipTransactionEnd reason)
    {
        if (State == SipTransactionState.Terminated) return;
        State = SipTransactionState.Terminated;
        EndReason = reason;
        DisposeTimers();
        _terminated?.Invoke(this);
    }

    private protected abstract void DisposeTimers();

    /// <summary>§17.1.1.2/§17.2.2 retransmission interval: double, optionally capped at T2.</summary>
    private protected TimeSpan Double(TimeSpan interval, bool capAtT2)
    {
        var next = interval * 2;
        return capAtT2 && next > Timers.T2 ? Timers.T2 : next;
    }
}
