namespace Hotline.Cti.Sip.Admission;

/// <summary>A rate (requests per second with a burst) and a cap on calls at once, for one key (a source address, an account).</summary>
public sealed record AdmissionRule(double PerSecond, double Burst, int MaxConcurrent);

/// <summary>Why a request was not admitted.</summary>
public enum AdmissionRefusal
{
    None,
    RateExceeded,
    TooManyCalls,
}

/// <summary>
/// Token buckets and concurrent-call counts per key (source address or account). Entries are created on first use
/// and dropped by <see cref="Sweep"/> once idle (bucket full, no call open), so the table is bounded by active keys.
/// Refusals are counted (<see cref="Refused"/>) and a log line per key is allowed at most once per
/// <see cref="LogInterval"/> (<see cref="ShouldLog"/>), so a flood is visible without flooding the log.
/// </summary>
public sealed class AdmissionLimits<TKey>(AdmissionRule rule, TimeProvider time) where TKey : notnull
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TKey, Entry> _entries = new();
    private long _refused;
    private long _nextSweep;

    /// <summary>How often a refused key may be logged.</summary>
    public TimeSpan LogInterval { get; init; } = TimeSpan.FromSeconds(10);

    public AdmissionRule Rule => rule;

    /// <summary>Requests refused since start.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Keys tracked now.</summary>
    public int Tracked => _entries.Count;

    private sealed class Entry(TokenBucket bucket)
    {
        public readonly TokenBucket Bucket = bucket;
        public int Open;
        public long RefusedSinceLog;
        public long NextLog;
    }

    /// <summary>Takes a token for one new request from <paramref name="key"/>.</summary>
    public AdmissionRefusal TryAdmit(TKey key)
    {
        var now = time.GetTimestamp();
        var entry = Get(key, now);
        lock (entry)
        {
            if (entry.Bucket.TryTake(now)) return AdmissionRefusal.None;
            entry.RefusedSinceLog++;
        }
        Interlocked.Increment(ref _refused);
        return AdmissionRefusal.RateExceeded;
    }

    /// <summary>Opens one call for <paramref name="key"/> if under the cap; dispose the result when the call ends.</summary>
    public AdmissionRefusal TryOpen(TKey key, out IDisposable? call)
    {
        var now = time.GetTimestamp();
        var entry = Get(key, now);
        lock (entry)
        {
            if (entry.Open < rule.MaxConcurrent)
            {
                entry.Open++;
                call = new OpenCall(entry);
                return AdmissionRefusal.None;
            }
            entry.RefusedSinceLog++;
        }
        call = null;
        Interlocked.Increment(ref _refused);
        return AdmissionRefusal.TooManyCalls;
    }

    /// <summary>Calls open now for <paramref name="key"/>.</summary>
    public int OpenCalls(TKey key) => _entries.TryGetValue(key, out var e) ? Volatile.Read(ref e.Open) : 0;

    /// <summary>
    /// True at most once per <see cref="LogInterval"/> per key; <paramref name="refused"/> is how many were refused
    /// since the last line (so the line can say "N requests refused").
    /// </summary>
    public bool ShouldLog(TKey key, out long refused)
    {
        refused = 0;
        if (!_entries.TryGetValue(key, out var entry)) return false;
        var now = time.GetTimestamp();
        lock (entry)
        {
            if (now < entry.NextLog) return false;
            entry.NextLog = now + (long)(LogInterval.TotalSeconds * time.TimestampFrequency);
            refused = entry.RefusedSinceLog;
            entry.RefusedSinceLog = 0;
            return true;
        }
    }

    private Entry Get(TKey key, long now)
    {
        if (now >= Interlocked.Read(ref _nextSweep)) Sweep(now);
        return _entries.GetOrAdd(key, static (_, s) => new Entry(new TokenBucket(s.rule.PerSecond, s.rule.Burst, s.now, s.frequency)),
            (rule, now, frequency: time.TimestampFrequency));
    }

    /// <summary>Forgets idle keys (full bucket, nothing open, nothing left to log) at most once per second.</summary>
    private void Sweep(long now)
    {
        var next = Interlocked.Read(ref _nextSweep);
        if (Interlocked.CompareExchange(ref _nextSweep, now + time.TimestampFrequency, next) != next) return;
        foreach (var (key, entry) in _entries)
        {
            lock (entry)
            {
                if (entry.Open > 0 || entry.RefusedSinceLog > 0 || !entry.Bucket.IsFull(now)) continue;
                _entries.TryRemove(new KeyValuePair<TKey, Entry>(key, entry));
            }
        }
    }

    private sealed class OpenCall(Entry entry) : IDisposable
    {
        private int _closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0) return;
            lock (entry) entry.Open--;
        }
    }
}
