namespace Hotline.AcdEngine.Stats;

/// <summary>
/// Paces one watcher's stream of live figures (CTI WatchStats): a snapshot at once, then one soon after each
/// <see cref="LiveStats.Changed"/> — a burst of changes coalesced so that pushes are at least
/// <see cref="MinInterval"/> apart — and a heartbeat every <see cref="Heartbeat"/> while nothing changes (the
/// longest wait keeps counting on the wallboard). Issue 9: the wallboard reflects an event within 1 s.
/// </summary>
public sealed class StatsPush : IDisposable
{
    /// <summary>Shortest gap between two pushes (a burst of events becomes one push).</summary>
    public static readonly TimeSpan DefaultMinInterval = TimeSpan.FromMilliseconds(150);

    /// <summary>Push even when nothing changed, so time-based figures (longest wait, 15-minute level) move.</summary>
    public static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromSeconds(1);

    private readonly LiveStats _stats;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private bool _dirty;
    private TaskCompletionSource _change = NewSignal();

    public StatsPush(LiveStats stats, TimeProvider time, TimeSpan? minInterval = null, TimeSpan? heartbeat = null)
    {
        _stats = stats;
        _time = time;
        MinInterval = minInterval ?? DefaultMinInterval;
        Heartbeat = heartbeat ?? DefaultHeartbeat;
        if (MinInterval <= TimeSpan.Zero || Heartbeat < MinInterval)
            throw new ArgumentOutOfRangeException(nameof(heartbeat), "The heartbeat must be at least the (positive) minimum interval.");
        stats.Changed += OnChanged;
    }

    public TimeSpan MinInterval { get; }

    public TimeSpan Heartbeat { get; }

    /// <summary>Writes snapshots through <paramref name="write"/> until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(Func<StatsView, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Forget the changes this snapshot includes before taking it: a change during the write is pushed next.
            Task change;
            lock (_gate)
            {
                _dirty = false;
                _change = NewSignal();
                change = _change.Task;
            }
            var sentAt = _time.GetUtcNow();
            await write(_stats.HotlineSnapshot(), cancellationToken); // One hotline across engines (issue 19).
            if (await ChangedBeforeAsync(change, sentAt + Heartbeat, cancellationToken))
            {
                var wait = sentAt + MinInterval - _time.GetUtcNow();
                if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, cancellationToken);
            }
        }
    }

    /// <summary>True when a change arrived before <paramref name="heartbeatAt"/>; false at the heartbeat.</summary>
    private async Task<bool> ChangedBeforeAsync(Task change, DateTimeOffset heartbeatAt, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_dirty) return true;
        }
        var wait = heartbeatAt - _time.GetUtcNow();
        if (wait <= TimeSpan.Zero) return false;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = Task.Delay(wait, _time, stop.Token);
        var first = await Task.WhenAny(change, heartbeat);
        await stop.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        return first == change;
    }

    private void OnChanged()
    {
        lock (_gate)
        {
            _dirty = true;
            _change.TrySetResult();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose() => _stats.Changed -= OnChanged;
}
