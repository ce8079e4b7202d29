using Hotline.Contracts.V1;
using Hotline.TicketApi.Calls;

namespace Hotline.TicketApi.Api;

/// <summary>
/// A call record as <c>/api/calls</c> shows it: the enums as names ("Inbound", "Caller", "Queue", "Satisfied"), the way
/// orders show theirs, not the contract's numbers the record stores.
/// </summary>
public sealed record CallRecordView(
    string CallId, string? NodeId, string Direction, string? CallerNumber, string? CallerName, string? DialedNumber,
    string? ForWorkOrderId, DateTime? OfferedAt, string? IvrNature, string? Queue, DateTime? QueuedAt, int ServiceLevelMs,
    DateTime? AnsweredAt, string? AgentId, int? WaitMs, bool WithinServiceLevel, DateTime? AbandonedAt, string? AbandonPoint,
    string? CallbackNumber, string? VoicemailLocation, string? Recording, DateTime? EndedAt, string? HangupBy, int TalkMs,
    int HoldMs, string? FirstResponderAgentId, string? EndReason, string? Satisfaction, int EventCount, bool Complete,
    DateTime? CompletedAt)
{
    public static CallRecordView Of(CallRecord c) => new(
        c.CallId, c.NodeId, ((CallDirection)c.Direction).ToString(), c.CallerNumber, c.CallerName, c.DialedNumber,
        c.ForWorkOrderId, c.OfferedAt, c.IvrNature, c.Queue, c.QueuedAt, c.ServiceLevelMs,
        c.AnsweredAt, c.AgentId, c.WaitMs, c.WithinServiceLevel, c.AbandonedAt, Name<Contracts.V1.AbandonPoint>(c.AbandonPoint),
        c.CallbackNumber, c.VoicemailLocation, c.Recording, c.EndedAt, Name<Contracts.V1.HangupBy>(c.HangupBy), c.TalkMs,
        c.HoldMs, c.FirstResponderAgentId, c.EndReason, Name<SatisfactionScore>(c.Satisfaction), c.EventCount, c.Complete,
        c.CompletedAt);

    private static string? Name<TEnum>(int? value) where TEnum : struct, Enum =>
        value is null ? null : ((TEnum)(object)value.Value).ToString();
}
