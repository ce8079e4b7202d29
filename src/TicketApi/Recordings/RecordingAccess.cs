using Hotline.TicketApi.Auth;
using Hotline.TicketApi.WorkOrders;

namespace Hotline.TicketApi.Recordings;

/// <summary>Who may hear an order's recording (issue 17): the hotline's roles; a department only for its own orders, and never a confidential reporter's.</summary>
public static class RecordingAccess
{
    /// <summary>Why <paramref name="actor"/> may not listen, or null when they may.</summary>
    public static string? Refusal(Actor actor, WorkOrder order)
    {
        if (actor.Role is Roles.Agent or Roles.Supervisor or Roles.Admin) return null;
        if (actor.Role != Roles.Department) return "This role may not hear recordings.";
        if (!string.Equals(order.DepartmentId, actor.DepartmentId, StringComparison.Ordinal))
            return "You may not hear this recording: the order belongs to another department.";
        // DOMAIN.md: the identity of a person who reports wrongdoing is confidential; their voice identifies them.
        if (order.ConfidentialReporter) return "You may not hear this recording: the reporter's identity is confidential (DOMAIN.md).";
        return null;
    }

    /// <summary>The contract's recording id of a call (COMMON.md: <c>rec:&lt;callId&gt;</c>).</summary>
    public static string IdOf(string callId) => "rec:" + callId;
}
