using Hotline.TicketApi.Auth;
using Hotline.TicketApi.WorkOrders;

namespace Hotline.TicketApi.Api;

/// <summary>A work order as the API shows it (docs/ticketapi.md). Reporter identity is null for a department on a confidential (举报) order.</summary>
public sealed record WorkOrderView(
    long Id, string Number, WorkOrderKind Kind, Channel Channel, WorkOrderStatus Status, string? Nature, bool IsMajor,
    bool IsEmergency, string? Category, string Content, string? CallerName, string? CallerNumber, string? Address,
    bool ReporterHidden, string? CallId, string? OwnerAgentId, string? DepartmentId, DateTime CreatedAt,
    DateTime? DispatchDueAt, DateTime? FirstDispatchedAt, DateTime? DeadlineAt, bool Overdue, DateTime? RepliedAt,
    string? Reply, int ExtensionsGranted, int? PendingExtensionDays, string? PendingExtensionReason, int ReturnCount,
    int ReworkCount, int ReopenCount, DateTime? CallbackDueAt, DateTime? CalledBackAt, Satisfaction? CallbackSatisfaction,
    string? Resolution, bool Supervised, DateTime? ArchivedAt, int Version, DateTime? OverdueFlaggedAt = null)
{
    public static WorkOrderView From(WorkOrder o, Actor viewer, DateTime now)
    {
        var hide = o.ConfidentialReporter && viewer.Role == Roles.Department;
        return new WorkOrderView(o.Id, o.Number, o.Kind, o.Channel, o.Status, o.Nature, o.IsMajor, o.IsEmergency, o.Category,
            o.Content, hide ? null : o.CallerName, hide ? null : o.CallerNumber, hide ? null : o.Address, hide, o.CallId,
            o.OwnerAgentId, o.DepartmentId, o.CreatedAt, o.DispatchDueAt, o.FirstDispatchedAt, o.DeadlineAt, o.IsOverdue(now),
            o.RepliedAt, o.Reply, o.ExtensionsGranted, o.PendingExtensionDays, o.PendingExtensionReason, o.ReturnCount,
            o.ReworkCount, o.ReopenCount, o.CallbackDueAt, o.CalledBackAt, o.CallbackSatisfaction, o.Resolution, o.Supervised,
            o.ArchivedAt, o.Version, o.OverdueFlaggedAt);
    }
}

public sealed record AuditView(DateTime At, string ActorId, string ActorRole, string Action, WorkOrderStatus? StatusBefore, WorkOrderStatus StatusAfter, string Detail);

public sealed record WorkOrderDetail(WorkOrderView Order, IReadOnlyList<AuditView> Audit, IReadOnlyList<CallEventView> CallTimeline);

/// <summary>
/// One page. <c>Total</c> is exact unless <c>TotalCapped</c> (then "more than Total"); <c>NextAfterId</c>, when set, fetches the
/// next page by keyset (<c>afterId=</c>) without counting or skipping.
/// </summary>
public sealed record PageOf<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total, bool TotalCapped = false, long? NextAfterId = null);
