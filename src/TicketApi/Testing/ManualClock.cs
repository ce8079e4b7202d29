namespace Hotline.TicketApi.Testing;

/// <summary>
/// The clock of <c>Testing:Clock=Manual</c>: it starts at the real time and then stands still; only
/// <see cref="Set"/> and <see cref="Advance"/> move it (never backwards, so deadlines computed earlier stay ordered).
/// Timers and timestamps stay on the real clock (base <see cref="TimeProvider"/>): only "what time is it" is driven.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _utcTicks = start.UtcTicks;

    /// <summary>Raised after the clock moved (the overdue sweep runs at once instead of waiting for its period).</summary>
    public event Action<DateTimeOffset>? Moved;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    /// <summary>Sets the clock; refuses to go back in time.</summary>
    public DateTimeOffset Set(DateTimeOffset utc)
    {
        while (true)
        {
            var current = Interlocked.Read(ref _utcTicks);
            if (utc.UtcTicks < current)
                throw new ArgumentOutOfRangeException(nameof(utc), $"The test clock does not go back: it is {new DateTimeOffset(current, TimeSpan.Zero):O}.");
            if (Interlocked.CompareExchange(ref _utcTicks, utc.UtcTicks, current) == current) break;
        }
        var now = GetUtcNow();
        Moved?.Invoke(now);
        return now;
    }

    public DateTimeOffset Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "The test clock does not go back.");
        return Set(GetUtcNow() + by);
    }
}
