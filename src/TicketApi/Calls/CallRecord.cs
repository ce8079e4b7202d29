namespace Hotline.TicketApi.Calls;

/// <summary>
/// One call's summary, built from its events in any order: each event kind sets only its own fields, so the
/// result does not depend on arrival order. The call is complete once every sequence up to the
/// <see cref="EndSequence"/> of its <c>CallEnded</c> has arrived; only then is it counted and turned into orders.
/// </summary>
public sealed class CallRecord
{
    public string CallId { get; set; } = "";
    public string? NodeId { get; set; }
    public int Direction { get; set; }
    public string? CallerNumber { get; set; }
    public string? CallerName { get; set; }
    public string? DialedNumber { get; set; }
    /// <summary>For outbound calls made for a work order.</summary>
    public string? ForWorkOrderId { get; set; }
    public DateTime? OfferedAt { get; set; }
    public string? IvrNature { get; set; }
    public string? Queue { get; set; }
    public DateTime? QueuedAt { get; set; }
    public int ServiceLevelMs { get; set; }
    public DateTime? AnsweredAt { get; set; }
    public string? AgentId { get; set; }
    public int? WaitMs { get; set; }
    public bool WithinServiceLevel { get; set; }
    public DateTime? AbandonedAt { get; set; }
    public int? AbandonPoint { get; set; }
    public string? CallbackNumber { get; set; }
    public string? VoicemailLocation { get; set; }
    public string? Recording { get; set; }
    public DateTime? EndedAt { get; set; }
    public int? HangupBy { get; set; }
    public int TalkMs { get; set; }
    public int HoldMs { get; set; }
    public string? FirstResponderAgentId { get; set; }
    public string? EndReason { get; set; }
    public int? Satisfaction { get; set; }
    /// <summary>When the (last) rating arrived: the rollups count a rating at its own time (metrics' exact edge path).</summary>
    public DateTime? RatedAt { get; set; }
    /// <summary>Distinct events stored for the call.</summary>
    public int EventCount { get; set; }
    /// <summary>Sequence of the CallEnded event, once it has arrived.</summary>
    public long? EndSequence { get; set; }
    /// <summary>All events 1..EndSequence have arrived and the call has been counted.</summary>
    public bool Complete { get; set; }
    public DateTime? CompletedAt { get; set; }
}

/// <summary>One stored call event: the call's timeline, and the idempotency record of its event id.</summary>
public sealed class CallEventRow
{
    public string EventId { get; set; } = "";
    public string CallId { get; set; } = "";
    public long Sequence { get; set; }
    public string Kind { get; set; } = "";
    public DateTime OccurredAt { get; set; }
    /// <summary>The event as received (protobuf bytes), rendered to JSON for the timeline.</summary>
    public byte[] Payload { get; set; } = [];
}

/// <summary>One stored agent event (idempotency by event id; the agent's state history).</summary>
public sealed class AgentEventRow
{
    public string EventId { get; set; } = "";
    public string AgentId { get; set; } = "";
    public long Sequence { get; set; }
    public DateTime OccurredAt { get; set; }
    public int Status { get; set; }
    public int PreviousStatus { get; set; }
    public string? Reason { get; set; }
    public string? CallId { get; set; }
}

/// <summary>An event rejected as malformed, kept aside (dead-lettered) for an operator.</summary>
public sealed class RejectedEvent
{
    public long Id { get; set; }
    public string EventId { get; set; } = "";
    public DateTime ReceivedAt { get; set; }
    public string Error { get; set; } = "";
    public byte[] Payload { get; set; } = [];
}

/// <summary>
/// Per-hour call counters per queue and agent, maintained at ingest when a call completes (and when a rating
/// arrives), so a month's indicators read ~10⁴ rows instead of 10⁶ calls.
/// </summary>
public sealed class CallHourRollup
{
    /// <summary>"hour|queue|agent": one key column keeps batch look-ups a single IN query on both providers.</summary>
    public string Key { get; set; } = "";
    /// <summary>Hours since the Unix epoch (UTC) of the call's offer.</summary>
    public long Hour { get; set; }
    public string Queue { get; set; } = "";
    public string AgentId { get; set; } = "";
    public int Offered { get; set; }
    public int Answered { get; set; }
    public int AnsweredWithinServiceLevel { get; set; }
    public int Abandoned { get; set; }
    public long AnswerWaitMsTotal { get; set; }
    public int Rated { get; set; }
    public int Satisfied { get; set; }
    public int BasicallySatisfied { get; set; }
    public int NotSatisfied { get; set; }

    public static string KeyOf(long hour, string queue, string agentId) => $"{hour}|{queue}|{agentId}";
}

/// <summary>A declared period excluded from the indicators (system failure, traffic beyond seat capacity).</summary>
public sealed class ExclusionWindow
{
    public long Id { get; set; }
    public DateTime From { get; set; }
    public DateTime To { get; set; }
    public string Reason { get; set; } = "";
}
