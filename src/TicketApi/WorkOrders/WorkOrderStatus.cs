namespace Hotline.TicketApi.WorkOrders;

/// <summary>Where a work order is in DOMAIN.md's lifecycle.</summary>
public enum WorkOrderStatus
{
    /// <summary>Accepted (受理), waiting to be closed on the spot or dispatched.</summary>
    Registered = 0,
    /// <summary>With a department (转办), which must reply by the deadline.</summary>
    Dispatched = 1,
    /// <summary>Sent back by the department (退回, wrong department); to be re-dispatched.</summary>
    Returned = 2,
    /// <summary>The department replied (回复); the hotline reviews it.</summary>
    Replied = 3,
    /// <summary>Reply accepted; the caller is to be called back (回访) within 3 days.</summary>
    Reviewed = 4,
    /// <summary>Called back, satisfied or basically satisfied.</summary>
    CalledBack = 5,
    /// <summary>Answered on the spot (or a return call made) and closed.</summary>
    Closed = 6,
    /// <summary>Archived: final.</summary>
    Archived = 7,
}

/// <summary>What the order came from.</summary>
public enum WorkOrderKind
{
    /// <summary>A matter registered from a call or another channel.</summary>
    Matter = 0,
    /// <summary>Return call to a caller who gave up waiting (abandoned call).</summary>
    ReturnCall = 1,
    /// <summary>The caller asked to be called back instead of waiting.</summary>
    CallbackRequest = 2,
    /// <summary>The caller left a voicemail.</summary>
    Voicemail = 3,
}

/// <summary>DOMAIN.md "Channels": phone first; also SMS, fax and a web form.</summary>
public enum Channel
{
    Phone = 0,
    Sms = 1,
    Fax = 2,
    WebForm = 3,
}

/// <summary>The caller's rating on a callback (回访).</summary>
public enum Satisfaction
{
    Satisfied = 1,
    BasicallySatisfied = 2,
    NotSatisfied = 3,
}

/// <summary>Who is acting: an API key's holder.</summary>
public sealed record Actor(string Id, string Role, string? DepartmentId = null)
{
    public bool IsSupervisor => Role is Auth.Roles.Supervisor or Auth.Roles.Admin;
}

/// <summary>A lifecycle step refused for the order's state; the API answers 409 with <see cref="Exception.Message"/>.</summary>
public sealed class WorkOrderRuleException(string message) : Exception(message);
