using System.Runtime.CompilerServices;

namespace Hotline.Cti.Media.Clock;

/// <summary>
/// Fixed-bucket histogram of durations (10 µs buckets up to 200 ms, then one overflow bucket).
/// Several writers (the clock's lanes, once per deadline each) count with interlocked adds; readers take a snapshot
/// and may see a deadline half-counted, which is fine for figures.
/// </summary>
public sealed class LatencyHistogram
{
    private const int BucketMicroseconds = 10;
    private const int Buckets = 20_000;
    private readonly long[] _counts = new long[Buckets + 1];
    private long _total;
    private long _maxMicroseconds;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Record(double microseconds)
    {
        var us = microseconds < 0 ? 0 : (long)microseconds;
        var bucket = (int)Math.Min(us / BucketMicroseconds, Buckets);
        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Increment(ref _total);
        var max = Volatile.Read(ref _maxMicroseconds);
        while (us > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxMicroseconds, us, max);
            if (seen == max) break;
            max = seen;
        }
    }

    public long Count => Volatile.Read(ref _total);

    /// <summary>The duration at percentile <paramref name="p"/> (0–100), in milliseconds; upper edge of its bucket.</summary>
    public double PercentileMilliseconds(double p)
    {
        var total = Volatile.Read(ref _total);
        if (total == 0) return 0;
        var rank = (long)Math.Ceiling(total * p / 100.0);
        long seen = 0;
        for (var i = 0; i <= Buckets; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank) return (i + 1) * BucketMicroseconds / 1000.0;
        }
        return MaxMilliseconds;
    }

    public double MaxMilliseconds => Volatile.Read(ref _maxMicroseconds) / 1000.0;

    public void Reset()
    {
        Array.Clear(_counts);
        _total = 0;
        _maxMicroseconds = 0;
    }
}
