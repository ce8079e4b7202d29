namespace Hotline.TicketApi.WorkOrders;

/// <summary>Issue 10: an outbound call made for an order (its id passed to the engine) is recorded on that order.</summary>
public sealed partial class WorkOrder
{
    /// <summary>
    /// Records a call placed for this order. Answered: a return call / callback request is closed as called back; a
    /// reviewed order takes the callback step (DOMAIN.md step 7) with the caller's rating when they gave one. Always one
    /// audit entry naming the call, so a not-reached attempt is visible too. Returns true when the order's status changed.
    /// </summary>
    public bool RecordCallbackCall(string callId, string? agentId, bool answered, Satisfaction? rating, DeadlineRules rules, DateTime nowUtc, Actor actor)
    {
        var who = string.IsNullOrEmpty(agentId) ? "the hotline" : "agent " + agentId;
        if (!answered)
        {
            Record(nowUtc, actor, "callback-call", Status, $"call {callId} by {who}: not reached");
            return false;
        }
        if (Kind is WorkOrderKind.ReturnCall or WorkOrderKind.CallbackRequest && Status is WorkOrderStatus.Registered or WorkOrderStatus.Returned)
        {
            CloseOnTheSpot($"Called back by {who} (call {callId}); rating: {rating?.ToString() ?? "not rated"}", nowUtc, actor);
            return true;
        }
        if (Status == WorkOrderStatus.Reviewed && rating is { } score)
        {
            Callback(score, $"call {callId} by {who}", rules, nowUtc, actor);
            return true;
        }
        Record(nowUtc, actor, "callback-call", Status, $"call {callId} by {who}: answered; rating: {rating?.ToString() ?? "not rated"}");
        return false;
    }

    /// <summary>"WO00000042" or "42" → 42; null when it is neither.</summary>
    public static long? ParseReference(string? reference)
    {
        if (string.IsNullOrWhiteSpace(reference)) return null;
        var digits = reference.StartsWith("WO", StringComparison.OrdinalIgnoreCase) ? reference[2..] : reference;
        return long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;
    }
}
