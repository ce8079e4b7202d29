namespace Hotline.TicketApi.WorkOrders;

/// <summary>DOMAIN.md step 8, done by the system: an order past its dispatch cut-off or reply deadline is flagged once per deadline.</summary>
public sealed partial class WorkOrder
{
    /// <summary>The actor of the automatic overdue sweep in the audit trail.</summary>
    public static readonly Actor OverdueSweep = new("overdue-sweep", "system");

    /// <summary>When the system last flagged the order overdue (督办), or null.</summary>
    public DateTime? OverdueFlaggedAt { get; private set; }
    /// <summary>The deadline (dispatch cut-off or reply deadline) that flag was for: a new deadline can be flagged again.</summary>
    public DateTime? OverdueFlaggedFor { get; private set; }

    /// <summary>The deadline the order is held to now: the dispatch cut-off while the hotline holds it, the reply deadline once dispatched.</summary>
    public DateTime? CurrentDeadline => Status switch
    {
        WorkOrderStatus.Registered or WorkOrderStatus.Returned => DispatchDueAt,
        WorkOrderStatus.Dispatched => DeadlineAt,
        _ => null,
    };

    /// <summary>Flags the order overdue and puts it under supervision, with an audit row; false when not overdue or already flagged for this deadline.</summary>
    public bool FlagOverdue(DateTime nowUtc)
    {
        if (!IsOverdue(nowUtc) || CurrentDeadline is not { } deadline || OverdueFlaggedFor == deadline) return false;
        OverdueFlaggedAt = nowUtc;
        OverdueFlaggedFor = deadline;
        Supervised = true;
        var what = Status == WorkOrderStatus.Dispatched
            ? $"reply deadline passed; department: {DepartmentId}"
            : "dispatch cut-off passed";
        // An audit row, but no new Version: a system flag must not turn a person's concurrent step on the order into a
        // 409 conflict. The sweep's own save still checks Version, so it is the sweep that yields (and retries later).
        Audit.Add(new AuditEntry
        {
            At = nowUtc, ActorId = OverdueSweep.Id, ActorRole = OverdueSweep.Role, Action = "overdue",
            StatusBefore = Status, StatusAfter = Status, Detail = $"{what}; due: {deadline:O}",
        });
        return true;
    }
}
