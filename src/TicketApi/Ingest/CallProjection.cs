using Hotline.Contracts.V1;
using Hotline.TicketApi.Calls;

namespace Hotline.TicketApi.Ingest;

/// <summary>
/// Applies one call event to its <see cref="CallRecord"/>. Each payload writes only its own fields, so any
/// arrival order gives the same record (out-of-order tolerance, events.proto "sequence").
/// </summary>
public static class CallProjection
{
    public static void Apply(CallRecord call, CallEvent e)
    {
        var at = e.OccurredAt.ToDateTime();
        call.NodeId ??= e.NodeId;
        switch (e.PayloadCase)
        {
            case CallEvent.PayloadOneofCase.Offered:
                call.OfferedAt = at;
                call.CallerNumber = e.Offered.CallerNumber;
                call.CallerName = NullIfEmpty(e.Offered.CallerName);
                call.DialedNumber = e.Offered.DialedNumber;
                call.Direction = (int)e.Offered.Direction;
                call.ForWorkOrderId = NullIfEmpty(e.Offered.WorkOrderId);
                call.AgentId ??= NullIfEmpty(e.Offered.AgentId); // Outbound: the agent who placed it (issue 10).
                break;
            case CallEvent.PayloadOneofCase.IvrChoice:
                call.IvrNature = NullIfEmpty(e.IvrChoice.Nature) ?? call.IvrNature;
                break;
            case CallEvent.PayloadOneofCase.Queued:
                call.Queue = e.Queued.Queue;
                call.QueuedAt = at;
                call.ServiceLevelMs = (int)e.Queued.ServiceLevelMs;
                break;
            case CallEvent.PayloadOneofCase.Answered:
                // First responder: the first answer wins, whichever order the events came in.
                if (call.AnsweredAt is null || at < call.AnsweredAt)
                {
                    call.AnsweredAt = at;
                    call.AgentId = e.Answered.AgentId;
                    call.Queue ??= NullIfEmpty(e.Answered.Queue);
                    call.WaitMs = (int)e.Answered.WaitMs;
                    call.WithinServiceLevel = e.Answered.WithinServiceLevel;
                }
                break;
            case CallEvent.PayloadOneofCase.Abandoned:
                call.AbandonedAt = at;
                call.AbandonPoint = (int)e.Abandoned.Where;
                call.Queue ??= NullIfEmpty(e.Abandoned.Queue);
                call.WaitMs ??= (int)e.Abandoned.WaitMs;
                break;
            case CallEvent.PayloadOneofCase.CallbackRequested:
                call.CallbackNumber = e.CallbackRequested.Number;
                call.Queue ??= NullIfEmpty(e.CallbackRequested.Queue);
                break;
            case CallEvent.PayloadOneofCase.VoicemailLeft:
                call.VoicemailLocation = e.VoicemailLeft.Location;
                break;
            case CallEvent.PayloadOneofCase.RecordingAvailable:
                call.Recording = e.RecordingAvailable.Location;
                break;
            case CallEvent.PayloadOneofCase.SatisfactionRated:
                if (e.SatisfactionRated.Score is not SatisfactionScore.NotRated and not SatisfactionScore.Unspecified)
                {
                    call.Satisfaction = (int)e.SatisfactionRated.Score;
                    call.RatedAt = at;   // the rollups count a rating at its own time; the exact edge path needs it too
                }
                break;
            case CallEvent.PayloadOneofCase.Ended:
                call.EndedAt = at;
                call.EndSequence = (long)e.Sequence;
                call.HangupBy = (int)e.Ended.HangupBy;
                call.TalkMs = (int)e.Ended.TalkMs;
                call.HoldMs = (int)e.Ended.HoldMs;
                call.FirstResponderAgentId = NullIfEmpty(e.Ended.FirstResponderAgentId);
                call.Recording ??= NullIfEmpty(e.Ended.Recording);
                call.EndReason = e.Ended.Reason;
                if (e.Ended.Direction != CallDirection.Unspecified) call.Direction = (int)e.Ended.Direction;
                break;
            default:
                break; // Held, resumed, ringing, consults…: timeline only.
        }
    }

    /// <summary>Why an event is malformed, or null if it can be applied.</summary>
    public static string? Validate(CallEvent e)
    {
        if (string.IsNullOrWhiteSpace(e.EventId) || e.EventId.Length > 64) return "event_id is required (at most 64 characters)";
        if (string.IsNullOrWhiteSpace(e.CallId) || e.CallId.Length > 64) return "call_id is required (at most 64 characters)";
        if (e.Sequence == 0) return "sequence must be 1 or more";
        if (e.OccurredAt is null) return "occurred_at is required";
        if (e.PayloadCase == CallEvent.PayloadOneofCase.None) return "the event has no payload";
        if (e.PayloadCase == CallEvent.PayloadOneofCase.Answered && string.IsNullOrEmpty(e.Answered.AgentId)) return "answered.agent_id is required";
        return null;
    }

    public static string? Validate(AgentEvent e)
    {
        if (string.IsNullOrWhiteSpace(e.EventId) || e.EventId.Length > 64) return "event_id is required (at most 64 characters)";
        if (string.IsNullOrWhiteSpace(e.AgentId)) return "agent_id is required";
        if (e.Sequence == 0) return "sequence must be 1 or more";
        if (e.OccurredAt is null) return "occurred_at is required";
        if (e.Status == AgentStatus.Unspecified) return "status is required";
        return null;
    }

    private static string? NullIfEmpty(string s) => string.IsNullOrEmpty(s) ? null : s;
}
