using System.Globalization;
using Hotline.TicketApi.Calendar;
using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.Ingest;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;

namespace Hotline.TicketApi.Metrics;

/// <summary>
/// Computes the indicators in SQL: call counts from the per-hour rollups (<see cref="CallHourRollup"/>), order
/// counts from the work orders through their covering index. Both are summed per hour (or per queue, agent,
/// department, category) in the database; hours are folded into local days/months here. Hours cut by a boundary
/// (period or exclusion edge, a local midnight in a half-hour zone) are counted exactly (<see cref="PeriodEdges"/>,
/// <see cref="ExactEdges"/>): exclusion windows remove exactly their period, and are listed in the report.
/// </summary>
public sealed class MetricsQuery(TicketDbContext db, WorkingCalendar calendar, TimeProvider time)
{
    public async Task<MetricsReport> RunAsync(DateTime fromUtc, DateTime toUtc, MetricsGrouping groupBy, CancellationToken ct)
    {
        var exclusions = await db.ExclusionWindows.AsNoTracking()
            .Where(w => w.From < toUtc && w.To > fromUtc).OrderBy(w => w.From).ToListAsync(ct);
        // Whole hours from the rollups; hours cut by a boundary (period edge, exclusion edge, local midnight in a
        // zone not a whole number of hours from UTC) exactly, from the calls and orders (issue 23).
        var edges = PeriodEdges.Of(fromUtc, toUtc, exclusions, groupBy, calendar);
        var fromHour = edges.FirstWholeHour;
        var toHour = edges.EndWholeHour;
        var cut = edges.CutHours.ToList();

        var rollups = db.CallHourRollups.AsNoTracking().Where(r => r.Hour >= fromHour && r.Hour < toHour);
        var orders = db.WorkOrders.AsNoTracking().Where(o => o.CreatedHour >= fromHour && o.CreatedHour < toHour);
        foreach (var (a, b) in edges.ExcludedHours)
        {
            rollups = rollups.Where(r => r.Hour < a || r.Hour >= b);
            orders = orders.Where(o => o.CreatedHour < a || o.CreatedHour >= b);
        }
        if (cut.Count > 0)
        {
            rollups = rollups.Where(r => !cut.Contains(r.Hour));
            orders = orders.Where(o => !cut.Contains(o.CreatedHour));
        }

        var groups = new Dictionary<string, Indicators>(StringComparer.Ordinal);
        Indicators Group(string key) => groups.TryGetValue(key, out var g) ? g : groups[key] = new Indicators { Key = key };

        var callRows = groupBy switch
        {
            MetricsGrouping.Queue => await CallsBy(rollups.GroupBy(r => r.Queue), k => (k, 0L), ct),
            MetricsGrouping.Agent => await CallsBy(rollups.GroupBy(r => r.AgentId), k => (k, 0L), ct),
            // The total is folded from per-hour sums too: SQLite plans the hour grouping on the index, a constant key not.
            _ => await CallsBy(rollups.GroupBy(r => r.Hour), k => ("", k), ct),
        };
        foreach (var (key, hour, row) in callRows) Group(KeyOf(groupBy, key, hour)).Add(row);

        var now = time.GetUtcNow().UtcDateTime;
        var done = db.OrderHourRollups.AsNoTracking().Where(r => r.Hour >= fromHour && r.Hour < toHour);
        foreach (var (a, b) in edges.ExcludedHours) done = done.Where(r => r.Hour < a || r.Hour >= b);
        if (cut.Count > 0) done = done.Where(r => !cut.Contains(r.Hour));
        // Only open orders can be "due but not done": a small slice, found by the (Status, CreatedHour) index.
        var open = orders.Where(o => o.Status == WorkOrderStatus.Registered || o.Status == WorkOrderStatus.Returned
            || o.Status == WorkOrderStatus.Dispatched || o.Status == WorkOrderStatus.Reviewed);
        var orderRows = groupBy switch
        {
            MetricsGrouping.Department => await OrdersBy(Done(done, OrderHourRollup.Department), open.GroupBy(o => o.DepartmentId ?? ""), k => (k, 0L), now, ct),
            MetricsGrouping.Category => await OrdersBy(Done(done, OrderHourRollup.Category), open.GroupBy(o => o.Category ?? ""), k => (k, 0L), now, ct),
            MetricsGrouping.Agent => await OrdersBy(Done(done, OrderHourRollup.Agent), open.GroupBy(o => o.OwnerAgentId ?? ""), k => (k, 0L), now, ct),
            MetricsGrouping.Queue => [],
            _ => await OrdersBy(done.Where(r => r.Dimension == OrderHourRollup.All).GroupBy(r => r.Hour.ToString()), open.GroupBy(o => o.CreatedHour.ToString()), k => ("", long.Parse(k, CultureInfo.InvariantCulture)), now, ct),
        };
        foreach (var (key, hour, row) in orderRows) Group(KeyOf(groupBy, key, hour)).Add(row);

        var total = new Indicators { Key = "total" };
        var exact = await ExactEdges.LoadAsync(db, edges.CutHours, groupBy, fromUtc, toUtc, exclusions, now, ct);
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
            foreach (var (_, _, row) in await OrdersBy(done.Where(r => r.Dimension == OrderHourRollup.All).GroupBy(r => r.Hour.ToString()), open.GroupBy(o => o.CreatedHour.ToString()), _ => ("total", 0L), now, ct)) total.Add(row);
        }
        return new MetricsReport(fromUtc, toUtc, groupBy,
            [.. exclusions.Select(w => new ExclusionView(w.Id, w.From, w.To, w.Reason))], total,
            groupBy == MetricsGrouping.None ? [] : [.. groups.Values.OrderBy(g => g.Key, StringComparer.Ordinal)]);
    }

    private static async Task<List<(string Key, long Hour, Indicators Row)>> CallsBy<TKey>(
        IQueryable<IGrouping<TKey, CallHourRollup>> grouped, Func<TKey, (string, long)> keyOf, CancellationToken ct)
    {
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

    private static IQueryable<IGrouping<string, OrderHourRollup>> Done(IQueryable<OrderHourRollup> done, string dimension) =>
        done.Where(r => r.Dimension == dimension).GroupBy(r => r.Value);

    private static async Task<List<(string Key, long Hour, Indicators Row)>> OrdersBy(
        IQueryable<IGrouping<string, OrderHourRollup>> done, IQueryable<IGrouping<string, WorkOrder>> open,
        Func<string, (string, long)> keyOf, DateTime now, CancellationToken ct)
    {
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
        // DOMAIN.md "due": done plus already late and not done yet (first dispatch / first reply / first callback).
        var openRows = await open.Select(g => new
        {
            g.Key,
            Undispatched = g.Sum(o => o.DispatchedOnTime == null && (o.Status == WorkOrderStatus.Registered || o.Status == WorkOrderStatus.Returned) && o.DispatchDueAt < now ? 1L : 0L),
            Unreplied = g.Sum(o => o.RepliedOnTime == null && o.Status == WorkOrderStatus.Dispatched && o.DeadlineAt < now ? 1L : 0L),
            NotCalledBack = g.Sum(o => o.CalledBackOnTime == null && o.Status == WorkOrderStatus.Reviewed && o.CallbackDueAt < now ? 1L : 0L),
        }).ToListAsync(ct);
        var rows = new Dictionary<string, Indicators>(StringComparer.Ordinal);
        Indicators Row(string key) => rows.TryGetValue(key, out var r) ? r : rows[key] = new Indicators { Key = key };
        foreach (var d in doneRows)
        {
            var r = Row(d.Key);
            r.OrdersToDispatch += d.DispatchedOnTime + d.DispatchedLate;
            r.DispatchedOnTime += d.DispatchedOnTime;
            r.RepliesDue += d.RepliedOnTime + d.RepliedLate;
            r.RepliedOnTime += d.RepliedOnTime;
            r.OrdersHandled += d.RepliedOnTime + d.RepliedLate;
            r.Reworked += d.Reworked;
            r.CallbacksDue += d.CalledBackOnTime + d.CalledBackLate;
            r.CalledBackOnTime += d.CalledBackOnTime;
            r.CalledBack += d.CalledBackOnTime + d.CalledBackLate;
            r.CallbackSatisfied += d.CallbackSatisfied;
            r.Orders += d.Registered;
            r.OrdersAnswered += d.CallerAnswered;
            r.SmsReceived += d.SmsReceived;
            r.SmsAnsweredSameDay += d.SmsAnsweredSameDay;
            r.HotlineComplaints += d.HotlineComplaints;
            r.Returns += d.Returned;
            r.FlaggedOverdue += d.FlaggedOverdue;
        }
        foreach (var o in openRows)
        {
            if (o.Undispatched + o.Unreplied + o.NotCalledBack == 0) continue;
            var r = Row(o.Key);
            r.OrdersToDispatch += o.Undispatched;
            r.RepliesDue += o.Unreplied;
            r.CallbacksDue += o.NotCalledBack;
        }
        return [.. rows.Select(kv =>
        {
            var (key, hour) = keyOf(kv.Key);
            return (key, hour, kv.Value);
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
