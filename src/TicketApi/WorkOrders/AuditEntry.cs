namespace Hotline.TicketApi.WorkOrders;

/// <summary>One change of a work order: who, when, what, status before and after, and the details.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public long WorkOrderId { get; set; }
    public DateTime At { get; set; }
    public string ActorId { get; set; } = "";
    public string ActorRole { get; set; } = "";
    public string Action { get; set; } = "";
    public WorkOrderStatus? StatusBefore { get; set; }
    public WorkOrderStatus StatusAfter { get; set; }
    /// <summary>What changed, as "field: before → after; …" text.</summary>
    public string Detail { get; set; } = "";
}
