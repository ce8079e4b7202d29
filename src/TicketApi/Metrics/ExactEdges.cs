using Hotline.Contracts.V1;
using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;

namespace Hotline.TicketApi.Metrics;

/// <summary>
/// The indicators of the cut hours (<see cref="PeriodEdges"/>), counted from the calls and orders themselves with the
/// rollups' rules: a call at its queue (else offer) time, a rating at its own time, an order at its creation. Each
/// contribution is keyed by its exact instant, so a call at 23:50 the day before stays out of the day and one at 23:55
/// that day is in, whatever the zone. An order counts under its current department/category/agent (the rollups under
/// the one of each step): the two differ only for an order that changed department inside a cut hour.
/// </summary>
public static class ExactEdges
{
    /// <summary>A row of the cut hours: what it adds, under which key (queue/agent/department/category) and at which instant.</summary>
    public readonly record struct Row(string Key, DateTime At, Indicators Counts, bool IsOrder);

    public static async Task<List<Row>> LoadAsync(TicketDbContext db, IReadOnlyCollection<long> cutHours, MetricsGrouping groupBy,
        DateTime fromUtc, DateTime toUtc, IReadOnlyList<ExclusionWindow> exclusions, DateTime now, CancellationToken ct)
    {
        var rows = new List<Row>();
        if (cutHours.Count == 0) return rows;
        var outbound = (int)CallDirection.Outbound;
        foreach (var hour in cutHours)
        {
            var start = DateTime.UnixEpoch.AddHours(hour);
            var end = start.AddHours(1);
            bool InHour(DateTime at) => at >= start && at < end && PeriodEdges.Counts(at, fromUtc, toUtc, exclusions);

            // Queued after the offer (greeting, IVR): offers up to an hour earlier can be queued inside this hour.
            var calls = await db.Calls.AsNoTracking()
                .Where(c => c.Complete && c.Direction != outbound && c.Queue != null && c.OfferedAt >= start.AddHours(-1) && c.OfferedAt < end)
                .Select(c => new { c.Queue, c.AgentId, c.OfferedAt, c.QueuedAt, c.AnsweredAt, c.AbandonedAt, c.WithinServiceLevel, c.WaitMs })
                .ToListAsync(ct);
            foreach (var c in calls)
            {
                var at = c.QueuedAt ?? c.OfferedAt!.Value;
                if (!InHour(at)) continue;
                var i = new Indicators { Offered = 1 };
                if (c.AnsweredAt is not null)
                {
                    i.Answered = 1;
                    i.AnsweredWithinServiceLevel = c.WithinServiceLevel ? 1 : 0;
                    i.AnswerWaitMsTotal = c.WaitMs ?? 0;
                }
                else if (c.AbandonedAt is not null)
                {
                    i.Abandoned = 1;
                }
                rows.Add(new Row(CallKey(groupBy, c.Queue, c.AgentId), at, i, false));
            }

            var ratings = await db.Calls.AsNoTracking()
                .Where(c => c.RatedAt >= start && c.RatedAt < end && c.Satisfaction != null)
                .Select(c => new { c.Queue, c.AgentId, c.RatedAt, c.Satisfaction }).ToListAsync(ct);
            foreach (var r in ratings)
            {
                if (!InHour(r.RatedAt!.Value)) continue;
                var satisfied = r.Satisfaction is (int)SatisfactionScore.Satisfied or (int)SatisfactionScore.BasicallySatisfied;
                rows.Add(new Row(CallKey(groupBy, r.Queue, r.AgentId), r.RatedAt.Value, new Indicators { Rated = 1, Satisfied = satisfied ? 1 : 0 }, false));
            }

            var orders = await db.WorkOrders.AsNoTracking().Where(o => o.CreatedAt >= start && o.CreatedAt < end)
                .Select(o => new OrderFacts(o.Id, o.CreatedAt, o.DepartmentId, o.Category, o.OwnerAgentId, o.Status, o.Channel, o.ReturnCount,
                    o.DispatchedOnTime, o.DispatchDueAt, o.RepliedOnTime, o.DeadlineAt, o.ReworkCount, o.CalledBackOnTime, o.CallbackDueAt,
                    o.CallbackSatisfaction, o.CallerAnsweredAt, o.CallerAnsweredSameDay, o.AboutHotline, o.OverdueFlaggedAt))
                .ToListAsync(ct);
            foreach (var o in orders)
            {
                if (!InHour(o.CreatedAt)) continue;
                var key = groupBy switch
                {
                    MetricsGrouping.Department => o.DepartmentId ?? "",
                    MetricsGrouping.Category => o.Category ?? "",
                    MetricsGrouping.Agent => o.OwnerAgentId ?? "",
                    _ => "",
                };
                var counts = Of(o, now);
                if (groupBy == MetricsGrouping.Department && o.ReturnCount > 0)
                {
                    // A return counts under the department that returned the order (DOMAIN.md step 4), as in the rollups.
                    counts.Returns = 0;
                    foreach (var department in await ReturnedByAsync(db, o.Id, ct))
                        rows.Add(new Row(department, o.CreatedAt, new Indicators { Returns = 1 }, true));
                }
                rows.Add(new Row(key, o.CreatedAt, counts, true));
            }
        }
        return rows;
    }

    /// <summary>The fields of an order the indicators read (a projection: the cut hours may hold thousands of orders).</summary>
    public sealed record OrderFacts(
        long Id, DateTime CreatedAt, string? DepartmentId, string? Category, string? OwnerAgentId, WorkOrderStatus Status, Channel Channel,
        int ReturnCount, bool? DispatchedOnTime, DateTime? DispatchDueAt, bool? RepliedOnTime, DateTime? DeadlineAt, int ReworkCount,
        bool? CalledBackOnTime, DateTime? CallbackDueAt, Satisfaction? CallbackSatisfaction, DateTime? CallerAnsweredAt,
        bool? CallerAnsweredSameDay, bool AboutHotline, DateTime? OverdueFlaggedAt);

    /// <summary>The departments that returned an order, from its audit rows ("department: X; reason: …", <see cref="WorkOrder.Return"/>).</summary>
    private static async Task<List<string>> ReturnedByAsync(TicketDbContext db, long orderId, CancellationToken ct)
    {
        var details = await db.Set<AuditEntry>().AsNoTracking().Where(a => a.WorkOrderId == orderId && a.Action == "return")
            .Select(a => a.Detail).ToListAsync(ct);
        const string prefix = "department: ";
        return [.. details.Select(d => d.StartsWith(prefix, StringComparison.Ordinal) ? d[prefix.Length..].Split(';')[0] : "")];
    }

    private static string CallKey(MetricsGrouping groupBy, string? queue, string? agent) => groupBy switch
    {
        MetricsGrouping.Queue => queue ?? "",
        MetricsGrouping.Agent => agent ?? "",
        _ => "",
    };

    /// <summary>One order's counts, as the rollups hold them once its steps are saved, plus what is due but not done at <paramref name="now"/>.</summary>
    public static Indicators Of(OrderFacts o, DateTime now)
    {
        var i = new Indicators { Orders = 1, Returns = o.ReturnCount };
        if (o.DispatchedOnTime is bool dispatched) { i.OrdersToDispatch = 1; i.DispatchedOnTime = dispatched ? 1 : 0; }
        else if (o.Status is WorkOrderStatus.Registered or WorkOrderStatus.Returned && o.DispatchDueAt < now) i.OrdersToDispatch = 1;
        if (o.RepliedOnTime is bool replied) { i.RepliesDue = 1; i.OrdersHandled = 1; i.RepliedOnTime = replied ? 1 : 0; }
        else if (o.Status == WorkOrderStatus.Dispatched && o.DeadlineAt < now) i.RepliesDue = 1;
        if (o.ReworkCount > 0) i.Reworked = 1;
        if (o.CalledBackOnTime is bool calledBack)
        {
            i.CallbacksDue = 1; i.CalledBack = 1; i.CalledBackOnTime = calledBack ? 1 : 0;
            i.CallbackSatisfied = o.CallbackSatisfaction is Satisfaction.Satisfied or Satisfaction.BasicallySatisfied ? 1 : 0;
        }
        else if (o.Status == WorkOrderStatus.Reviewed && o.CallbackDueAt < now) i.CallbacksDue = 1;
        if (o.CallerAnsweredAt is not null) i.OrdersAnswered = 1;
        if (o.Channel == Channel.Sms)
        {
            i.SmsReceived = 1;
            if (o.CallerAnsweredAt is not null && o.CallerAnsweredSameDay == true) i.SmsAnsweredSameDay = 1;
        }
        if (o.AboutHotline) i.HotlineComplaints = 1;
        if (o.OverdueFlaggedAt is not null) i.FlaggedOverdue = 1;
        return i;
    }
}
