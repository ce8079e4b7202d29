using System.Linq.Expressions;
using Hotline.TicketApi.Calls;

namespace Hotline.TicketApi.Metrics;

/// <summary>
/// Which rollup rows serve a report's whole hours (issue 22). A UTC day whose 24 hours are all whole — inside the
/// period, outside every exclusion window, not cut (<see cref="PeriodEdges"/>) — and that lies in one group is read from
/// the day rollups (<see cref="CallDayRollup"/>, <c>OrderDayRollup</c>): one row per queue × agent or dimension value
/// instead of 24. Every other whole hour is read from the hour rollups. The two sets are disjoint and together are
/// exactly the whole hours, so the figures are those of the hour rollups alone.
/// </summary>
public sealed class RollupPlan
{
    private RollupPlan(List<(long From, long To)> days, List<(long From, long To)> hours)
    {
        Days = days;
        Hours = hours;
    }

    /// <summary>UTC days (since the epoch) read from the day rollups: [From, To) ranges, ascending, not adjacent.</summary>
    public IReadOnlyList<(long From, long To)> Days { get; }

    /// <summary>UTC hours (since the epoch) read from the hour rollups: [From, To) ranges, ascending, not adjacent.</summary>
    public IReadOnlyList<(long From, long To)> Hours { get; }

    /// <param name="edges">The whole hours of the period.</param>
    /// <param name="oneGroup">
    /// Whether a UTC day falls in one group: always for totals and per queue/agent/department/category; never for hour
    /// groups; for local days and months when no local midnight (month start) falls inside it — in Asia/Shanghai a UTC
    /// day runs 08:00–08:00 local, so only month groups can use it, except on the days a month starts.
    /// </param>
    /// <param name="readDays">False reads every whole hour from the hour rollups (the tests' reference).</param>
    public static RollupPlan Of(PeriodEdges edges, Func<long, bool> oneGroup, bool readDays = true)
    {
        var days = new List<(long, long)>();
        var hours = new List<(long, long)>();
        var first = edges.FirstWholeHour;
        var end = edges.EndWholeHour;
        if (first >= end) return new RollupPlan(days, hours);
        bool Whole(long h)
        {
            if (edges.CutHours.Contains(h)) return false;
            foreach (var (a, b) in edges.ExcludedHours)
                if (h >= a && h < b) return false;
            return true;
        }
        for (var day = CallDayRollup.DayOf(first); day <= CallDayRollup.DayOf(end - 1); day++)
        {
            var start = day * 24;
            var inside = start >= first && start + 24 <= end;
            var whole = true;
            for (var h = Math.Max(start, first); h < Math.Min(start + 24, end); h++)
                if (!Whole(h)) { whole = false; break; }
            if (readDays && inside && whole && oneGroup(day))
            {
                Append(days, day, day + 1);
                continue;
            }
            for (var h = Math.Max(start, first); h < Math.Min(start + 24, end); h++)
                if (whole || Whole(h)) Append(hours, h, h + 1);
        }
        return new RollupPlan(days, hours);
    }

    private static void Append(List<(long From, long To)> ranges, long from, long to)
    {
        if (ranges.Count > 0 && ranges[^1].To == from) ranges[^1] = (ranges[^1].From, to);
        else ranges.Add((from, to));
    }

    /// <summary>
    /// <c>row =&gt; (column &gt;= @a1 AND column &lt; @b1) OR …</c>: each range is one seek in the rollup's covering index
    /// (SQLite's OR-by-union, PostgreSQL's bitmap OR), never a scan of the rows in between. The bounds are read from a
    /// captured array, so EF Core sends them as parameters and reuses the compiled query for every period with as many
    /// ranges. The ORs are a balanced tree: a year of hour ranges (a day grouping in +05:30 cuts 365 hours) nests ~9
    /// deep, well inside SQLite's expression depth limit (1,000).
    /// </summary>
    public static Expression<Func<T, bool>> InRanges<T>(Expression<Func<T, long>> column, IReadOnlyList<(long From, long To)> ranges)
    {
        var bounds = Expression.Field(Expression.Constant(new Bounds([.. ranges.SelectMany(r => new[] { r.From, r.To })])), nameof(Bounds.Values));
        Expression Bound(int i) => Expression.ArrayIndex(bounds, Expression.Constant(i));
        Expression Range(int i) => Expression.AndAlso(
            Expression.GreaterThanOrEqual(column.Body, Bound(2 * i)),
            Expression.LessThan(column.Body, Bound(2 * i + 1)));
        Expression Any(int from, int to) => to - from == 1 ? Range(from) : Expression.OrElse(Any(from, (from + to) / 2), Any((from + to) / 2, to));
        return Expression.Lambda<Func<T, bool>>(ranges.Count == 0 ? Expression.Constant(false) : Any(0, ranges.Count), column.Parameters[0]);
    }

    /// <summary>The captured bounds (a closure's shape, so that EF Core parameterises them).</summary>
    private sealed class Bounds(long[] values)
    {
        public readonly long[] Values = values;
    }
}
