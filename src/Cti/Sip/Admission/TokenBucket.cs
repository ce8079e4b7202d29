namespace Hotline.Cti.Sip.Admission;

/// <summary>
/// A token bucket: holds up to <c>burst</c> tokens, refilled at <c>perSecond</c>; each admitted request takes one.
/// Time comes from the caller (ticks of a <see cref="TimeProvider"/> timestamp), so tests drive it with a fake clock.
/// Not thread-safe by itself: callers lock the owner entry.
/// </summary>
public sealed class TokenBucket
{
    private readonly double _perTick;
    private readonly double _burst;
    private double _tokens;
    private long _last;

    public TokenBucket(double perSecond, double burst, long now, long ticksPerSecond)
    {
        if (perSecond <= 0) throw new ArgumentOutOfRangeException(nameof(perSecond), "The refill rate must be positive.");
        if (burst < 1) throw new ArgumentOutOfRangeException(nameof(burst), "The burst must hold at least one token.");
        _perTick = perSecond / ticksPerSecond;
        _burst = burst;
        _tokens = burst;
        _last = now;
    }

    /// <summary>Takes a token if one is there; false means the request is over the rate.</summary>
    public bool TryTake(long now)
    {
        Refill(now);
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }

    /// <summary>True when the bucket is full again (the entry can be forgotten: a new one would be the same).</summary>
    public bool IsFull(long now)
    {
        Refill(now);
        return _tokens >= _burst;
    }

    private void Refill(long now)
    {
        if (now <= _last) return;
        _tokens = Math.Min(_burst, _tokens + ((now - _last) * _perTick));
        _last = now;
    }
}
