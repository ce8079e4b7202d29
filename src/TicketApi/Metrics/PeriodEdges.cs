using Hotline.TicketApi.Calendar;
using Hotline.TicketApi.Calls;

namespace Hotline.TicketApi.Metrics;

/// <summary>
/// Which UTC hours a report can read from the hour rollups whole, and which it must read exactly (issue 23).
/// An hour is <em>cut</em> when a boundary falls inside it: the period's from/to, an exclusion window's edge, or — in a
/// zone that is not a whole number of hours from UTC (Asia/Kolkata +05:30, Asia/Kathmandu +05:45) — a local midnight
/// that separates two day or month groups. Cut hours are left out of the rollup queries and counted call by call and
/// order by order (<see cref="ExactEdges"/>), so every boundary is exact while whole hours stay on the rollups.
/// </summary>
public sealed class PeriodEdges
{
    private PeriodEdges(long firstWholeHour, long endWholeHour, List<(long From, long To)> excludedHours, SortedSet<long> cutHours,
        SortedSet<DateTime> splits)
    {
        FirstWholeHour = firstWholeHour;
        EndWholeHour = endWholeHour;
        ExcludedHours = excludedHours;
        CutHours = cutHours;
        Splits = splits;
    }

    /// <summary>The whole hours the rollups serve: [FirstWholeHour, EndWholeHour) minus <see cref="ExcludedHours"/> and <see cref="CutHours"/>.</summary>
    public long FirstWholeHour { get; }
    public long EndWholeHour { get; }
    /// <summary>Hours wholly inside an exclusion window: [From, To).</summary>
    public List<(long From, long To)> ExcludedHours { get; }
    /// <summary>Hours read exactly.</summary>
    public SortedSet<long> CutHours { get; }
    /// <summary>
    /// The boundaries off the hour (the period's edges; the exclusion edges and local midnights between groups inside it):
    /// they split the cut hours into pieces that each lie wholly inside or outside the counted time and in one group
    /// (<see cref="ExactEdges"/>). An edge outside the period needs no split: every piece beyond the period is left out.
    /// </summary>
    public SortedSet<DateTime> Splits { get; }

    public static PeriodEdges Of(DateTime fromUtc, DateTime toUtc, IEnumerable<ExclusionWindow> exclusions, MetricsGrouping groupBy, WorkingCalendar calendar)
    {
        var cut = new SortedSet<long>();
        var splits = new SortedSet<DateTime>();
        void Boundary(DateTime b)
        {
            if (b > fromUtc && b < toUtc && !IsWholeHour(b)) { cut.Add(HourOf(b)); splits.Add(b); }
        }
        if (!IsWholeHour(fromUtc)) { cut.Add(HourOf(fromUtc)); splits.Add(fromUtc); }
        if (!IsWholeHour(toUtc) && HourOf(toUtc) >= HourOf(fromUtc)) { cut.Add(HourOf(toUtc)); splits.Add(toUtc); }
        var excluded = new List<(long, long)>();
        foreach (var w in exclusions)
        {
            excluded.Add((CeilingHourOf(w.From), HourOf(w.To)));
            Boundary(w.From);
            Boundary(w.To);
        }
        if (groupBy is MetricsGrouping.Day or MetricsGrouping.Month)
        {
            // Local midnights between the groups; in a whole-hour zone they fall on the hour and cut nothing.
            var day = DateOnly.FromDateTime(calendar.ToLocal(new DateTimeOffset(fromUtc, TimeSpan.Zero)).DateTime).AddDays(1);
            for (var at = calendar.AtLocal(day, TimeOnly.MinValue).UtcDateTime; at < toUtc; day = day.AddDays(1), at = calendar.AtLocal(day, TimeOnly.MinValue).UtcDateTime)
                if (groupBy == MetricsGrouping.Day || day.Day == 1) Boundary(at);
        }
        return new PeriodEdges(CeilingHourOf(fromUtc), HourOf(toUtc), excluded, cut, splits);
    }

    /// <summary>An instant counts when it is inside the period and outside every exclusion window.</summary>
    public static bool Counts(DateTime at, DateTime fromUtc, DateTime toUtc, IReadOnlyList<ExclusionWindow> exclusions)
    {
        if (at < fromUtc || at >= toUtc) return false;
        foreach (var w in exclusions)
            if (at >= w.From && at < w.To) return false;
        return true;
    }

    public static long HourOf(DateTime utc) => (long)Math.Floor((utc - DateTime.UnixEpoch).TotalHours);
    private static long CeilingHourOf(DateTime utc) => (long)Math.Ceiling((utc - DateTime.UnixEpoch).TotalHours);
    private static bool IsWholeHour(DateTime utc) => (utc - DateTime.UnixEpoch).Ticks % TimeSpan.TicksPerHour == 0;
}
