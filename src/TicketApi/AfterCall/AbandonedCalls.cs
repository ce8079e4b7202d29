using Hotline.Contracts.V1;
using Hotline.TicketApi.Calendar;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;

namespace Hotline.TicketApi.AfterCall;

/// <summary>One caller who gave up in the queue or while an agent rang, and whether someone called them back.</summary>
public sealed record AbandonedCallView(
    string CallId, string? CallerNumber, string? Queue, int WaitMs, string Where, DateTime AbandonedAt, string LocalTimeOfDay,
    long? WorkOrderId, string? WorkOrderNumber, bool CalledBack, DateTime? CalledBackAt, string? CallbackCallId, int CallbackAttempts,
    bool ToCallBack);

/// <summary>
/// The abandoned-call list (issue 10): abandoned inbound calls (queue or ringing) with their return-call order, joined
/// with the outbound calls made for that order. Called back = an answered outbound call for the order; "to call back" =
/// not called back and the order still open.
/// </summary>
public static class AbandonedCalls
{
    /// <summary>Most calls one request looks at (a week of a busy hotline's abandoned calls).</summary>
    public const int MaxScan = 10_000;

    public static async Task<List<AbandonedCallView>> ListAsync(TicketDbContext db, WorkingCalendar calendar, DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        var calls = await db.Calls.AsNoTracking()
            .Where(c => c.AbandonedAt != null && c.AbandonedAt >= fromUtc && c.AbandonedAt < toUtc
                && c.Direction != (int)CallDirection.Outbound
                && (c.AbandonPoint == (int)AbandonPoint.Queue || c.AbandonPoint == (int)AbandonPoint.Ringing))
            .OrderByDescending(c => c.AbandonedAt).Take(MaxScan).ToListAsync(ct);
        var callIds = calls.Select(c => c.CallId).ToList();
        var orders = await db.WorkOrders.AsNoTracking()
            .Where(o => o.CallId != null && callIds.Contains(o.CallId) && (o.Kind == WorkOrderKind.ReturnCall || o.Kind == WorkOrderKind.CallbackRequest))
            .Select(o => new { o.Id, o.CallId, o.Status }).ToListAsync(ct);
        var references = orders.SelectMany(o => new[] { o.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"WO{o.Id:D8}" }).ToList();
        var attempts = await db.Calls.AsNoTracking()
            .Where(c => c.Direction == (int)CallDirection.Outbound && c.ForWorkOrderId != null && references.Contains(c.ForWorkOrderId))
            .Select(c => new { c.CallId, c.ForWorkOrderId, c.AnsweredAt }).ToListAsync(ct);
        var attemptsByOrder = attempts.ToLookup(a => WorkOrder.ParseReference(a.ForWorkOrderId));
        var orderByCall = orders.GroupBy(o => o.CallId!).ToDictionary(g => g.Key, g => g.OrderBy(o => o.Id).First(), StringComparer.Ordinal);

        var list = new List<AbandonedCallView>(calls.Count);
        foreach (var c in calls)
        {
            var order = orderByCall.GetValueOrDefault(c.CallId);
            var tries = order is null ? [] : attemptsByOrder[order.Id].ToList();
            var first = tries.Where(a => a.AnsweredAt is not null).OrderBy(a => a.AnsweredAt).FirstOrDefault();
            var open = order is not null && order.Status is WorkOrderStatus.Registered or WorkOrderStatus.Returned;
            var at = c.AbandonedAt!.Value;
            list.Add(new AbandonedCallView(
                c.CallId, c.CallerNumber, c.Queue, c.WaitMs ?? 0,
                c.AbandonPoint == (int)AbandonPoint.Ringing ? "ringing" : "queue",
                at, calendar.ToLocal(new DateTimeOffset(at, TimeSpan.Zero)).ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                order?.Id, order is null ? null : $"WO{order.Id:D8}",
                first is not null, first?.AnsweredAt, first?.CallId, tries.Count,
                ToCallBack: first is null && (order is null || open)));
        }
        return list;
    }
}
