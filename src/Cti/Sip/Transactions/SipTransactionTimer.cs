namespace Hotline.Cti.Sip.Transactions;

/// <summary>
/// One named RFC 3261 timer of one transaction (Timer A, B, …) over <see cref="TimeProvider"/>, so tests drive it
/// in virtual time. Created lazily; firing calls back into the transaction, which checks its state.
/// </summary>
internal sealed class SipTransactionTimer(TimeProvider time, Action onFire) : IDisposable
{
    private ITimer? _timer;

    /// <summary>The interval last scheduled (retransmission timers double it).</summary>
    public TimeSpan Interval { get; private set; }

    public void Start(TimeSpan due)
    {
        Interval = due;
        if (_timer is null) _timer = time.CreateTimer(static s => ((Action)s!)(), onFire, due, Timeout.InfiniteTimeSpan);
        else _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    public void Stop() => _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _timer?.Dispose();
        _timer = null;
    }
}
