using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;

namespace Hotline.TicketApi.Desk;

/// <summary>The caller's history by number, for the screen pop: previous orders (open ones first) and calls, and a repeat-caller mark.</summary>
public sealed record CallerHistory(bool RepeatCaller, int CallsInWindow, IReadOnlyList<HistoryOrder> Orders, IReadOnlyList<HistoryCall> Calls)
{
    public static readonly CallerHistory None = new(false, 0, [], []);

    /// <summary>
    /// Reads the history of <paramref name="number"/> (the current call excluded). Open orders come first, then the rest,
    /// newest first; served by the (CallerNumber, CreatedAt) and (CallerNumber, OfferedAt) indexes.
    /// </summary>
    public static async Task<CallerHistory> ForNumberAsync(
        TicketDbContext db, string number, string currentCallId, DateTime nowUtc, int repeatDays, int items, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(number)) return None;
        var closed = new[] { WorkOrderStatus.Closed, WorkOrderStatus.Archived };
        var open = await db.WorkOrders.AsNoTracking().Where(o => o.CallerNumber == number && !closed.Contains(o.Status))
            .OrderByDescending(o => o.CreatedAt).Take(items)
            .Select(o => new HistoryOrder(o.Id, "WO" + o.Id, o.Status, o.Nature, o.Category, o.Content, o.DepartmentId, o.CreatedAt, o.CallId, true, o.OverdueFlaggedAt))
            .ToListAsync(ct);
        var done = open.Count >= items ? [] : await db.WorkOrders.AsNoTracking().Where(o => o.CallerNumber == number && closed.Contains(o.Status))
            .OrderByDescending(o => o.CreatedAt).Take(items - open.Count)
            .Select(o => new HistoryOrder(o.Id, "WO" + o.Id, o.Status, o.Nature, o.Category, o.Content, o.DepartmentId, o.CreatedAt, o.CallId, false, o.OverdueFlaggedAt))
            .ToListAsync(ct);
        var orders = open.Concat(done).Where(o => o.CallId != currentCallId || currentCallId.Length == 0)
            .Select(o => o with { Number = $"WO{o.Id:D8}" }).ToList();
        var calls = await db.Calls.AsNoTracking().Where(c => c.CallerNumber == number && c.CallId != currentCallId)
            .OrderByDescending(c => c.OfferedAt).Take(items)
            .Select(c => new HistoryCall(c.CallId, c.OfferedAt, c.Queue, c.AgentId, c.AnsweredAt != null, c.TalkMs))
            .ToListAsync(ct);
        var since = nowUtc.AddDays(-repeatDays);
        var recent = calls.Count(c => c.OfferedAt >= since);
        return new CallerHistory(recent > 0 || open.Count > 0, recent, orders, calls);
    }
}

public sealed record HistoryOrder(
    long Id, string Number, WorkOrderStatus Status, string? Nature, string? Category, string Content, string? DepartmentId,
    DateTime CreatedAt, string? CallId, bool Open,
    // DOMAIN.md step 8: an order the overdue sweep flagged is shown as supervised (督办) on the desk too.
    DateTime? OverdueFlaggedAt = null);

public sealed record HistoryCall(string CallId, DateTime? OfferedAt, string? Queue, string? AgentId, bool Answered, int TalkMs);
