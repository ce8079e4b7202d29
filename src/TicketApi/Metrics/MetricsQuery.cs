using System.Globalization;
using Hotline.TicketApi.Calendar;
using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.Ingest;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;

namespace Hotline.TicketApi.Metrics;

/// <summary>
/// Computes the indicators in SQL: call counts from the rollups (grouped by agent: <see cref="CallDayRollup"/> for whole
/// UTC days, <see cref="CallHourRollup"/> for the other whole hours, <see cref="RollupPlan"/>; every other grouping:
/// <see cref="CallQueueHourRollup"/> for every whole hour), order counts from the order
/// rollups likewise plus the few open orders ("due but not done" depends on now). Both are summed per hour or day (or
/// per queue, agent, department, category) in the database; hours and days are folded into local days/months here.
/// Hours cut by a boundary (period or exclusion edge, a local midnight in a half-hour zone) are counted exactly
/// (<see cref="PeriodEdges"/>, <see cref="ExactEdges"/>): exclusion windows remove exactly their period, and are listed
/// in the report.
/// </summary>
public sealed class MetricsQuery(TicketDbContext db, WorkingCalendar calendar, TimeProvider time)
{
    /// <summary>
    /// False reads every whole hour from the hour rollups (queue × agent) alone, no day or hour × queue rows: the reference
    /// the summary rollups are tested against.
    /// </summary>
    internal bool ReadSummaryRollups { get; init; } = true;

    public async Task<MetricsReport> RunAsync(DateTime fromUtc, DateTime toUtc, MetricsGrouping groupBy, CancellationToken ct)
    {
        var exclusions = await db.ExclusionWindows.AsNoTracking()
            .Where(w => w.From < toUtc && w.To > fromUtc).OrderBy(w => w.From).ToListAsync(ct);
        // Whole hours from the rollups; hours cut by a boundary (period edge, exclusion edge, local midnight in a
        // zone not a whole number of hours from UTC) exactly, from the calls and orders (issue 23). Of the whole hours,
        // whole UTC days that fall in one group come from the day rollups (issue 22).
        var edges = PeriodEdges.Of(fromUtc, toUtc, exclusions, groupBy, calendar);
        var plan = RollupPlan.Of(edges, day => OneGroup(groupBy, day), ReadSummaryRollups);
        var fromHour = edges.FirstWholeHour;
        var toHour = edges.EndWholeHour;
        var cut = edges.CutHours.ToList();

        var groups = new Dictionary<string, Indicators>(StringComparer.Ordinal);
        Indicators Group(string key) => groups.TryGetValue(key, out var g) ? g : groups[key] = new Indicators { Key = key };

        var hours = db.CallHourRollups.AsNoTracking().Where(RollupPlan.InRanges<CallHourRollup>(r => r.Hour, plan.Hours));
        var days = db.CallDayRollups.AsNoTracking().Where(RollupPlan.InRanges<CallDayRollup>(r => r.Day, plan.Days));
        // A grouping that does not name the agent reads every whole hour from the hour × queue rows (issue 22): 2 rows an
        // hour, fewer than even a UTC day's queue × agent rows (200) per 24 hours, so no day rows are needed for it.
        var whole = RollupPlan.Of(edges, _ => false);
        var queueHours = db.CallQueueHourRollups.AsNoTracking().Where(RollupPlan.InRanges<CallQueueHourRollup>(r => r.Hour, whole.Hours));
        var callRows = (groupBy, ReadSummaryRollups) switch
        {
            (MetricsGrouping.Agent, _) => [.. await CallsBy(plan.Hours, hours.GroupBy(r => r.AgentId), k => (k, 0L), ct),
                .. await CallsBy(plan.Days, days.GroupBy(r => r.AgentId), k => (k, 0L), ct)],
            (MetricsGrouping.Queue, true) => await CallsBy(whole.Hours, queueHours.GroupBy(r => r.Queue), k => (k, 0L), ct),
            (MetricsGrouping.Queue, false) => await CallsBy(plan.Hours, hours.GroupBy(r => r.Queue), k => (k, 0L), ct),
            // The total is folded from per-hour sums too: SQLite plans that grouping on the index, a constant key not.
            (_, true) => await CallsBy(whole.Hours, queueHours.GroupBy(r => r.Hour), k => ("", k), ct),
            _ => await CallsBy(plan.Hours, hours.GroupBy(r => r.Hour), k => ("", k), ct),
        };
        foreach (var (key, hour, row) in callRows) Group(KeyOf(groupBy, key, hour)).Add(row);

        var now = time.GetUtcNow().UtcDateTime;
        var doneHours = db.OrderHourRollups.AsNoTracking().Where(RollupPlan.InRanges<OrderHourRollup>(r => r.Hour, plan.Hours));
        var doneDays = db.OrderDayRollups.AsNoTracking().Where(RollupPlan.InRanges<OrderDayRollup>(r => r.Day, plan.Days));
        // Only open orders can be "due but not done": a small slice, found by the (Status, CreatedHour) index, over the
        // same whole hours (the period's, less the exclusions' and the cut ones).
        var orders = db.WorkOrders.AsNoTracking().Where(o => o.CreatedHour >= fromHour && o.CreatedHour < toHour);
        foreach (var (a, b) in edges.ExcludedHours) orders = orders.Where(o => o.CreatedHour < a || o.CreatedHour >= b);
        if (cut.Count > 0) orders = orders.Where(o => !cut.Contains(o.CreatedHour));
        var open = orders.Where(o => o.Status == WorkOrderStatus.Registered || o.Status == WorkOrderStatus.Returned
            || o.Status == WorkOrderStatus.Dispatched || o.Status == WorkOrderStatus.Reviewed);
        async Task<List<(string, long, Indicators)>> OrdersIn(string dimension, IQueryable<IGrouping<string, WorkOrder>> openBy) =>
        [
            .. await DoneBy(plan.Hours, doneHours.Where(r => r.Dimension == dimension).GroupBy(r => r.Value), k => (k, 0L), ct),
            .. await DoneBy(plan.Days, doneDays.Where(r => r.Dimension == dimension).GroupBy(r => r.Value), k => (k, 0L), ct),
            .. await OpenBy(openBy, k => (k, 0L), now, ct),
        ];
        async Task<List<(string, long, Indicators)>> OrdersOverTime() =>
        [
            .. await DoneBy(plan.Hours, doneHours.Where(r => r.Dimension == OrderHourRollup.All).GroupBy(r => r.Hour), k => ("", k), ct),
            .. await DoneBy(plan.Days, doneDays.Where(r => r.Dimension == OrderHourRollup.All).GroupBy(r => r.Day), k => ("", k * 24), ct),
            .. await OpenBy(open.GroupBy(o => o.CreatedHour), k => ("", k), now, ct),
        ];
        var orderRows = groupBy switch
        {
            MetricsGrouping.Department => await OrdersIn(OrderHourRollup.Department, open.GroupBy(o => o.DepartmentId ?? "")),
            MetricsGrouping.Category => await OrdersIn(OrderHourRollup.Category, open.GroupBy(o => o.Category ?? "")),
            MetricsGrouping.Agent => await OrdersIn(OrderHourRollup.Agent, open.GroupBy(o => o.OwnerAgentId ?? "")),
            MetricsGrouping.Queue => [],
            _ => await OrdersOverTime(),
        };
        foreach (var (key, hour, row) in orderRows) Group(KeyOf(groupBy, key, hour)).Add(row);

        var total = new Indicators { Key = "total" };
        var exact = await ExactEdges.LoadAsync(db, edges, groupBy, fromUtc, toUtc, exclusions, now, ct);
        foreach (var row in exact)
        {
            // Orders have no queue: with groupBy=queue they add to the total only (as below for the rollups).
            if (row.IsOrder && groupBy == MetricsGrouping.Queue) total.Add(row.Counts);
            else Group(KeyAt(groupBy, row.Key, row.At)).Add(row.Counts);
        }
        // The quality review (issue 17): current scores by their call's offer time; per agent with groupBy=agent, else in the total.
        var quality = await db.QualityScores.AsNoTracking().Where(q => q.Current && q.CallOfferedAt >= fromUtc && q.CallOfferedAt < toUtc)
            .GroupBy(q => q.AgentId).Select(g => new { g.Key, Count = g.LongCount(), Sum = g.Sum(q => (long)q.Total) }).ToListAsync(ct);
        var scored = new Indicators();
        foreach (var q in quality)
        {
            var row = new Indicators { QualityScored = q.Count, QualityPointsTotal = q.Sum };
            if (groupBy == MetricsGrouping.Agent) Group(q.Key).Add(row);
            else scored.Add(row);
        }
        foreach (var g in groups.Values) total.Add(g);
        total.Add(scored);
        if (groupBy == MetricsGrouping.Queue)
        {
            // Orders have no queue: the total still carries the hotline's order indicators.
            foreach (var (_, _, row) in await OrdersOverTime()) total.Add(row);
        }
        return new MetricsReport(fromUtc, toUtc, groupBy,
            [.. exclusions.Select(w => new ExclusionView(w.Id, w.From, w.To, w.Reason))], total,
            groupBy == MetricsGrouping.None ? [] : [.. groups.Values.OrderBy(g => g.Key, StringComparer.Ordinal)]);
    }

    /// <summary>
    /// Whether UTC day <paramref name="day"/> lies in one group, so its day rollup can stand for its 24 hours: the group
    /// of its first and its last instant are the same (day and month keys only grow with time).
    /// </summary>
    private bool OneGroup(MetricsGrouping groupBy, long day) => groupBy switch
    {
        MetricsGrouping.Hour => false,
        MetricsGrouping.Day or MetricsGrouping.Month =>
            KeyAt(groupBy, "", DateTime.UnixEpoch.AddDays(day)) == KeyAt(groupBy, "", DateTime.UnixEpoch.AddDays(day + 1).AddTicks(-1)),
        _ => true,
    };

    private static async Task<List<(string Key, long Hour, Indicators Row)>> CallsBy<TKey, TRow>(
        IReadOnlyList<(long, long)> ranges, IQueryable<IGrouping<TKey, TRow>> grouped, Func<TKey, (string, long)> keyOf, CancellationToken ct)
        where TRow : CallRollupCounts
    {
        if (ranges.Count == 0) return [];
        var rows = await grouped.Select(g => new
        {
            g.Key,
            Offered = g.Sum(r => (long)r.Offered),
            Answered = g.Sum(r => (long)r.Answered),
            Within = g.Sum(r => (long)r.AnsweredWithinServiceLevel),
            Abandoned = g.Sum(r => (long)r.Abandoned),
            Wait = g.Sum(r => r.AnswerWaitMsTotal),
            Rated = g.Sum(r => (long)r.Rated),
            Satisfied = g.Sum(r => (long)r.Satisfied + r.BasicallySatisfied),
        }).ToListAsync(ct);
        return [.. rows.Select(r =>
        {
            var (key, hour) = keyOf(r.Key);
            return (key, hour, new Indicators
            {
                Offered = r.Offered, Answered = r.Answered, AnsweredWithinServiceLevel = r.Within, Abandoned = r.Abandoned,
                AnswerWaitMsTotal = r.Wait, Rated = r.Rated, Satisfied = r.Satisfied,
            });
        })];
    }

    /// <summary>The completed steps' counts from the order rollups (hour or day rows).</summary>
    private static async Task<List<(string Key, long Hour, Indicators Row)>> DoneBy<TKey, TRow>(
        IReadOnlyList<(long, long)> ranges, IQueryable<IGrouping<TKey, TRow>> done, Func<TKey, (string, long)> keyOf, CancellationToken ct)
        where TRow : OrderRollupCounts
    {
        if (ranges.Count == 0) return [];
        var doneRows = await done.Select(g => new
        {
            g.Key,
            DispatchedOnTime = g.Sum(r => (long)r.DispatchedOnTime),
            DispatchedLate = g.Sum(r => (long)r.DispatchedLate),
            RepliedOnTime = g.Sum(r => (long)r.RepliedOnTime),
            RepliedLate = g.Sum(r => (long)r.RepliedLate),
            Reworked = g.Sum(r => (long)r.Reworked),
            CalledBackOnTime = g.Sum(r => (long)r.CalledBackOnTime),
            CalledBackLate = g.Sum(r => (long)r.CalledBackLate),
            CallbackSatisfied = g.Sum(r => (long)r.CallbackSatisfied),
            Registered = g.Sum(r => (long)r.Registered),
            CallerAnswered = g.Sum(r => (long)r.CallerAnswered),
            SmsReceived = g.Sum(r => (long)r.SmsReceived),
            SmsAnsweredSameDay = g.Sum(r => (long)r.SmsAnsweredSameDay),
            HotlineComplaints = g.Sum(r => (long)r.HotlineComplaints),
            Returned = g.Sum(r => (long)r.Returned),
            FlaggedOverdue = g.Sum(r => (long)r.FlaggedOverdue),
        }).ToListAsync(ct);
        return [.. doneRows.Select(d =>
        {
            var (key, hour) = keyOf(d.Key);
            return (key, hour, new Indicators
            {
                OrdersToDispatch = d.DispatchedOnTime + d.DispatchedLate,
                DispatchedOnTime = d.DispatchedOnTime,
                RepliesDue = d.RepliedOnTime + d.RepliedLate,
                RepliedOnTime = d.RepliedOnTime,
                OrdersHandled = d.RepliedOnTime + d.RepliedLate,
                Reworked = d.Reworked,
                CallbacksDue = d.CalledBackOnTime + d.CalledBackLate,
                CalledBackOnTime = d.CalledBackOnTime,
                CalledBack = d.CalledBackOnTime + d.CalledBackLate,
                CallbackSatisfied = d.CallbackSatisfied,
                Orders = d.Registered,
                OrdersAnswered = d.CallerAnswered,
                SmsReceived = d.SmsReceived,
                SmsAnsweredSameDay = d.SmsAnsweredSameDay,
                HotlineComplaints = d.HotlineComplaints,
                Returns = d.Returned,
                FlaggedOverdue = d.FlaggedOverdue,
            });
        })];
    }

    /// <summary>DOMAIN.md "due": what is already late and not done yet (first dispatch / first reply / first callback), from the open orders.</summary>
    private static async Task<List<(string Key, long Hour, Indicators Row)>> OpenBy<TKey>(
        IQueryable<IGrouping<TKey, WorkOrder>> open, Func<TKey, (string, long)> keyOf, DateTime now, CancellationToken ct)
    {
        var openRows = await open.Select(g => new
        {
            g.Key,
            Undispatched = g.Sum(o => o.DispatchedOnTime == null && (o.Status == WorkOrderStatus.Registered || o.Status == WorkOrderStatus.Returned) && o.DispatchDueAt < now ? 1L : 0L),
            Unreplied = g.Sum(o => o.RepliedOnTime == null && o.Status == WorkOrderStatus.Dispatched && o.DeadlineAt < now ? 1L : 0L),
            NotCalledBack = g.Sum(o => o.CalledBackOnTime == null && o.Status == WorkOrderStatus.Reviewed && o.CallbackDueAt < now ? 1L : 0L),
        }).ToListAsync(ct);
        return [.. openRows.Where(o => o.Undispatched + o.Unreplied + o.NotCalledBack > 0).Select(o =>
        {
            var (key, hour) = keyOf(o.Key);
            return (key, hour, new Indicators { OrdersToDispatch = o.Undispatched, RepliesDue = o.Unreplied, CallbacksDue = o.NotCalledBack });
        })];
    }

    private string KeyOf(MetricsGrouping groupBy, string key, long hour) => KeyAt(groupBy, key, DateTime.UnixEpoch.AddHours(hour));

    /// <summary>
    /// The group of an instant. Hour groups are UTC hours named by their local start: in a zone at +05:30 they are
    /// "…T10:30+05:30" (an hour group is a rollup hour; day and month groups are exact local days and months).
    /// </summary>
    private string KeyAt(MetricsGrouping groupBy, string key, DateTime utc)
    {
        var local = calendar.ToLocal(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)));
        if (groupBy == MetricsGrouping.Hour)
            local = local.AddTicks(-((local.UtcTicks - DateTime.UnixEpoch.Ticks) % TimeSpan.TicksPerHour));
        return groupBy switch
        {
            MetricsGrouping.Hour => local.ToString("yyyy-MM-dd'T'HH':'mmzzz", CultureInfo.InvariantCulture),
            MetricsGrouping.Day => local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            MetricsGrouping.Month => local.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            MetricsGrouping.None => "total",
            _ => key,
        };
    }
}
