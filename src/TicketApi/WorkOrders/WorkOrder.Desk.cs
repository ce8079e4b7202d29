namespace Hotline.TicketApi.WorkOrders;

/// <summary>Issue 17: the order an agent registers during the call, and who listened to its recording.</summary>
public sealed partial class WorkOrder
{
    /// <summary>Fills in the caller's name, contact number and address (while the hotline holds the order).</summary>
    public void DescribeCaller(string? name, string? number, string? address, DateTime nowUtc, Actor actor)
    {
        Require(Status is WorkOrderStatus.Registered or WorkOrderStatus.Returned, "describe the caller of", "only a registered or returned order can be edited");
        var detail = new List<string>();
        // Values only, never the caller's identity itself, in the audit text: a department reads the trail.
        if (name is not null && name != CallerName) { detail.Add("caller name changed"); CallerName = name; }
        if (number is not null && number != CallerNumber) { detail.Add("contact number changed"); CallerNumber = number; }
        if (address is not null && address != Address) { detail.Add("address changed"); Address = address; }
        if (detail.Count > 0) Record(nowUtc, actor, "describe", Status, string.Join("; ", detail));
    }

    /// <summary>Marks the first responder (首问负责制) when the order was registered without one.</summary>
    public void TakeOwnership(string agentId)
    {
        OwnerAgentId ??= agentId;
    }

    /// <summary>
    /// Writes a listen to the recording into the audit trail. Not a change of the order: the version is left alone, so a
    /// supervisor listening never makes an agent's concurrent edit fail.
    /// </summary>
    public void RecordListen(string recordingId, DateTime nowUtc, Actor actor) => Audit.Add(new AuditEntry
    {
        At = nowUtc, ActorId = actor.Id, ActorRole = actor.Role, Action = "listen",
        StatusBefore = Status, StatusAfter = Status, Detail = $"recording: {recordingId}",
    });
}
