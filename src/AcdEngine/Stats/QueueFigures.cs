namespace Hotline.AcdEngine.Stats;

/// <summary>
/// Counters of one queue since local midnight plus the answers of the last 15 minutes (service level 15 m).
/// Owned by <see cref="LiveStats"/>; mutated under its lock.
/// </summary>
internal sealed class QueueFigures
{
    private readonly Queue<(DateTimeOffset At, bool Within)> _recent = new();

    public DateOnly Day { get; private set; }
    public int Offered { get; private set; }
    public int Answered { get; private set; }
    public int Abandoned { get; private set; }
    public int AnsweredWithinServiceLevel { get; private set; }
    public long TotalWaitMs { get; private set; }

    public void RollTo(DateOnly day)
    {
        if (day == Day) return;
        Day = day;
        Offered = Answered = Abandoned = AnsweredWithinServiceLevel = 0;
        TotalWaitMs = 0;
    }

    /// <summary>Puts back the counters of <paramref name="day"/> saved before a restart.</summary>
    public void Restore(DateOnly day, QueueCounts c)
    {
        Day = day;
        (Offered, Answered, Abandoned, AnsweredWithinServiceLevel, TotalWaitMs) = (c.Offered, c.Answered, c.Abandoned, c.AnsweredWithinServiceLevel, c.TotalWaitMs);
    }

    public QueueCounts Counts => new(Offered, Answered, Abandoned, AnsweredWithinServiceLevel, TotalWaitMs);

    public void CountOffered() => Offered++;

    public void CountAbandoned() => Abandoned++;

    public void CountAnswered(DateTimeOffset at, long waitMs, bool within)
    {
        Answered++;
        TotalWaitMs += waitMs;
        if (within) AnsweredWithinServiceLevel++;
        _recent.Enqueue((at, within));
    }

    public double ServiceLevelToday => Answered == 0 ? 0 : (double)AnsweredWithinServiceLevel / Answered;

    public long AverageSpeedOfAnswerMs => Answered == 0 ? 0 : TotalWaitMs / Answered;

    /// <summary>Answered within service level ÷ answered over the 15 minutes before <paramref name="now"/>.</summary>
    public double ServiceLevelLast15Minutes(DateTimeOffset now)
    {
        while (_recent.Count > 0 && now - _recent.Peek().At > TimeSpan.FromMinutes(15)) _recent.Dequeue();
        if (_recent.Count == 0) return 0;
        var within = 0;
        foreach (var r in _recent) if (r.Within) within++;
        return (double)within / _recent.Count;
    }
}

/// <summary>One queue's counters of the day, as saved across a restart.</summary>
public sealed record QueueCounts(int Offered, int Answered, int Abandoned, int AnsweredWithinServiceLevel, long TotalWaitMs);

/// <summary>Every queue's counters of one local day (<c>stats-today.json</c>).</summary>
public sealed record TodayCounts(DateOnly Day, Dictionary<string, QueueCounts> Queues);
