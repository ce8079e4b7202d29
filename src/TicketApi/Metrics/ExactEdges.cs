using System.Linq.Expressions;
using Hotline.Contracts.V1;
using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;

namespace Hotline.TicketApi.Metrics;

/// <summary>
/// The indicators of the cut hours (<see cref="PeriodEdges"/>), counted from the calls and orders themselves with the
/// rollups' rules: a call at its queue (else offer) time, a rating at its own time, an order at its creation. A cut hour
/// is split at its boundaries (<see cref="PeriodEdges.Splits"/>) into pieces that each lie wholly inside or outside the
/// period and in one group, so a call at 23:50 the day before stays out of the day and one at 23:55 that day is in,
/// whatever the zone. Each counted piece is summed in the database (a few rows per piece, not one per call or order:
/// reading 1,300 orders' columns one by one cost 7 ms of the report, issue 22). An order's steps count under its current
/// department/category/agent, its registration under no department; the rollups count each step under the department and
/// category of the save that made it. The two differ only for an order dispatched to a second department, or classified
/// into another category, after its first step.
/// </summary>
public static class ExactEdges
{
    /// <summary>A row of the cut hours: what it adds, under which key (queue/agent/department/category) and from which instant (its piece's start).</summary>
    public readonly record struct Row(string Key, DateTime At, Indicators Counts, bool IsOrder);

    public static async Task<List<Row>> LoadAsync(TicketDbContext db, PeriodEdges edges, MetricsGrouping groupBy,
        DateTime fromUtc, DateTime toUtc, IReadOnlyList<ExclusionWindow> exclusions, DateTime now, CancellationToken ct)
    {
        var rows = new List<Row>();
        foreach (var (from, to) in Pieces(edges))
        {
            if (PeriodEdges.Counts(from, fromUtc, toUtc, exclusions))
                await LoadPieceAsync(db, rows, from, to, groupBy, now, ct);
        }
        return rows;
    }

    /// <summary>The cut hours split at every boundary inside them: [From, To) pieces, ascending.</summary>
    public static IEnumerable<(DateTime From, DateTime To)> Pieces(PeriodEdges edges)
    {
        foreach (var hour in edges.CutHours)
        {
            var start = DateTime.UnixEpoch.AddHours(hour);
            var end = start.AddHours(1);
            var at = start;
            foreach (var split in edges.Splits.GetViewBetween(start, end))
            {
                if (split <= at || split >= end) continue;
                yield return (at, split);
                at = split;
            }
            yield return (at, end);
        }
    }

    private static async Task LoadPieceAsync(TicketDbContext db, List<Row> rows, DateTime from, DateTime to, MetricsGrouping groupBy,
        DateTime now, CancellationToken ct)
    {
        var outbound = (int)CallDirection.Outbound;
        // Queued after the offer (greeting, IVR): offers up to an hour earlier can be queued inside this piece. The offer
        // time bounds the index seek; the queue time decides.
        var queued = from.AddHours(-1);
        Expression<Func<CallRecord, string?>> callKey = groupBy == MetricsGrouping.Agent ? c => c.AgentId : c => c.Queue;
        var calls = await db.Calls.AsNoTracking()
            .Where(c => c.Complete && c.Direction != outbound && c.Queue != null && c.OfferedAt >= queued && c.OfferedAt < to
                && (c.QueuedAt ?? c.OfferedAt) >= from && (c.QueuedAt ?? c.OfferedAt) < to)
            .GroupBy(callKey)
            .Select(g => new
            {
                g.Key,
                Offered = g.LongCount(),
                Answered = g.Sum(c => c.AnsweredAt != null ? 1L : 0L),
                Within = g.Sum(c => c.AnsweredAt != null && c.WithinServiceLevel ? 1L : 0L),
                Wait = g.Sum(c => c.AnsweredAt != null ? (long)(c.WaitMs ?? 0) : 0L),
                Abandoned = g.Sum(c => c.AnsweredAt == null && c.AbandonedAt != null ? 1L : 0L),
            }).ToListAsync(ct);
        foreach (var c in calls)
            rows.Add(new Row(CallKey(groupBy, c.Key), from, new Indicators
            {
                Offered = c.Offered, Answered = c.Answered, AnsweredWithinServiceLevel = c.Within, AnswerWaitMsTotal = c.Wait, Abandoned = c.Abandoned,
            }, false));

        int satisfied = (int)SatisfactionScore.Satisfied, basically = (int)SatisfactionScore.BasicallySatisfied;
        var ratings = await db.Calls.AsNoTracking()
            .Where(c => c.RatedAt >= from && c.RatedAt < to && c.Satisfaction != null)
            .GroupBy(callKey)
            .Select(g => new { g.Key, Rated = g.LongCount(), Satisfied = g.Sum(c => c.Satisfaction == satisfied || c.Satisfaction == basically ? 1L : 0L) })
            .ToListAsync(ct);
        foreach (var r in ratings)
            rows.Add(new Row(CallKey(groupBy, r.Key), from, new Indicators { Rated = r.Rated, Satisfied = r.Satisfied }, false));

        // The grouping's own key; groupings that do not name one are summed over departments (a handful of rows).
        Expression<Func<WorkOrder, string?>> orderKey = groupBy switch
        {
            MetricsGrouping.Category => o => o.Category,
            MetricsGrouping.Agent => o => o.OwnerAgentId,
            _ => o => o.DepartmentId,
        };
        var inPiece = db.WorkOrders.AsNoTracking().Where(o => o.CreatedAt >= from && o.CreatedAt < to);
        var orders = await inPiece.GroupBy(orderKey).Select(g => new
        {
            g.Key,
            Orders = g.LongCount(),
            Returns = g.Sum(o => (long)o.ReturnCount),   // with groupBy=department: by the returning department, below
            // DOMAIN.md "due": a step done counts (on time or late); one not done counts once it is late (ExactEdges'
            // rules are the rollups' plus MetricsQuery's open orders).
            ToDispatch = g.Sum(o => o.DispatchedOnTime != null
                || ((o.Status == WorkOrderStatus.Registered || o.Status == WorkOrderStatus.Returned) && o.DispatchDueAt < now) ? 1L : 0L),
            DispatchedOnTime = g.Sum(o => o.DispatchedOnTime == true ? 1L : 0L),
            RepliesDue = g.Sum(o => o.RepliedOnTime != null || (o.Status == WorkOrderStatus.Dispatched && o.DeadlineAt < now) ? 1L : 0L),
            Handled = g.Sum(o => o.RepliedOnTime != null ? 1L : 0L),
            RepliedOnTime = g.Sum(o => o.RepliedOnTime == true ? 1L : 0L),
            Reworked = g.Sum(o => o.ReworkCount > 0 ? 1L : 0L),
            CallbacksDue = g.Sum(o => o.CalledBackOnTime != null || (o.Status == WorkOrderStatus.Reviewed && o.CallbackDueAt < now) ? 1L : 0L),
            CalledBack = g.Sum(o => o.CalledBackOnTime != null ? 1L : 0L),
            CalledBackOnTime = g.Sum(o => o.CalledBackOnTime == true ? 1L : 0L),
            CallbackSatisfied = g.Sum(o => o.CalledBackOnTime != null
                && (o.CallbackSatisfaction == Satisfaction.Satisfied || o.CallbackSatisfaction == Satisfaction.BasicallySatisfied) ? 1L : 0L),
            Answered = g.Sum(o => o.CallerAnsweredAt != null ? 1L : 0L),
            Sms = g.Sum(o => o.Channel == Channel.Sms ? 1L : 0L),
            SmsSameDay = g.Sum(o => o.Channel == Channel.Sms && o.CallerAnsweredAt != null && o.CallerAnsweredSameDay == true ? 1L : 0L),
            Complaints = g.Sum(o => o.AboutHotline ? 1L : 0L),
            Flagged = g.Sum(o => o.OverdueFlaggedAt != null ? 1L : 0L),
        }).ToListAsync(ct);
        foreach (var o in orders)
        {
            var key = groupBy is MetricsGrouping.Department or MetricsGrouping.Category or MetricsGrouping.Agent ? o.Key ?? "" : "";
            var registration = new Indicators { Orders = o.Orders, SmsReceived = o.Sms, HotlineComplaints = o.Complaints };
            if (groupBy == MetricsGrouping.Department)
            {
                // Registered with no department (only a dispatch names one): the rollups count the registration under "".
                rows.Add(new Row("", from, registration, true));
                registration = new Indicators();
            }
            rows.Add(new Row(key, from, new Indicators
            {
                Orders = registration.Orders, SmsReceived = registration.SmsReceived, HotlineComplaints = registration.HotlineComplaints,
                Returns = groupBy == MetricsGrouping.Department ? 0 : o.Returns,
                OrdersToDispatch = o.ToDispatch, DispatchedOnTime = o.DispatchedOnTime,
                RepliesDue = o.RepliesDue, OrdersHandled = o.Handled, RepliedOnTime = o.RepliedOnTime, Reworked = o.Reworked,
                CallbacksDue = o.CallbacksDue, CalledBack = o.CalledBack, CalledBackOnTime = o.CalledBackOnTime, CallbackSatisfied = o.CallbackSatisfied,
                OrdersAnswered = o.Answered, SmsAnsweredSameDay = o.SmsSameDay, FlaggedOverdue = o.Flagged,
            }, true));
        }
        if (groupBy == MetricsGrouping.Department)
        {
            var returned = await inPiece.Where(o => o.ReturnCount > 0).Select(o => o.Id).ToListAsync(ct);
            foreach (var department in await ReturnedByAsync(db, returned, ct))
                rows.Add(new Row(department, from, new Indicators { Returns = 1 }, true));
        }
    }

    /// <summary>The departments that returned the orders, one per return, from their audit rows ("department: X; reason: …", <see cref="WorkOrder.Return"/>).</summary>
    private static async Task<List<string>> ReturnedByAsync(TicketDbContext db, List<long> orderIds, CancellationToken ct)
    {
        if (orderIds.Count == 0) return [];
        var details = await db.Set<AuditEntry>().AsNoTracking().Where(a => orderIds.Contains(a.WorkOrderId) && a.Action == "return")
            .Select(a => a.Detail).ToListAsync(ct);
        const string prefix = "department: ";
        return [.. details.Select(d => d.StartsWith(prefix, StringComparison.Ordinal) ? d[prefix.Length..].Split(';')[0] : "")];
    }

    private static string CallKey(MetricsGrouping groupBy, string? key) =>
        groupBy is MetricsGrouping.Queue or MetricsGrouping.Agent ? key ?? "" : "";
}
