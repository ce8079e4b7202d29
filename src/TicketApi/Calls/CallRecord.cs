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

/// <summary>The call counters a rollup row holds, per hour (<see cref="CallHourRollup"/>), per hour and queue (<see cref="CallQueueHourRollup"/>) or per UTC day (<see cref="CallDayRollup"/>).</summary>
public abstract class CallRollupCounts
{
    public int Offered { get; set; }
    public int Answered { get; set; }
    public int AnsweredWithinServiceLevel { get; set; }
    public int Abandoned { get; set; }
    public long AnswerWaitMsTotal { get; set; }
    public int Rated { get; set; }
    public int Satisfied { get; set; }
    public int BasicallySatisfied { get; set; }
    public int NotSatisfied { get; set; }

    public void Add(CallRollupCounts d)
    {
        Offered += d.Offered; Answered += d.Answered; AnsweredWithinServiceLevel += d.AnsweredWithinServiceLevel;
        Abandoned += d.Abandoned; AnswerWaitMsTotal += d.AnswerWaitMsTotal; Rated += d.Rated; Satisfied += d.Satisfied;
        BasicallySatisfied += d.BasicallySatisfied; NotSatisfied += d.NotSatisfied;
    }
}

/// <summary>
/// Per-hour call counters per queue and agent, maintained at ingest when a call completes (and when a rating
/// arrives), so a month's indicators read ~10⁴ rows instead of 10⁶ calls.
/// </summary>
public sealed class CallHourRollup : CallRollupCounts
{
    /// <summary>"hour|queue|agent": one key column keeps batch look-ups a single IN query on both providers.</summary>
    public string Key { get; set; } = "";
    /// <summary>Hours since the Unix epoch (UTC) of the call's offer.</summary>
    public long Hour { get; set; }
    public string Queue { get; set; } = "";
    public string AgentId { get; set; } = "";

    public static string KeyOf(long hour, string queue, string agentId) => $"{hour}|{queue}|{agentId}";
}

/// <summary>
/// The same counters per UTC day (issue 22): the sum of the day's 24 <see cref="CallHourRollup"/> rows, kept by the same
/// statements in the same transaction, so a year's report reads ~4·10⁴ rows instead of ~9·10⁵.
/// </summary>
public sealed class CallDayRollup : CallRollupCounts
{
    /// <summary>"day|queue|agent".</summary>
    public string Key { get; set; } = "";
    /// <summary>Days since the Unix epoch (UTC): <see cref="DayOf"/> of the hour rows it sums.</summary>
    public long Day { get; set; }
    public string Queue { get; set; } = "";
    public string AgentId { get; set; } = "";

    public static string KeyOf(long day, string queue, string agentId) => $"{day}|{queue}|{agentId}";

    /// <summary>The UTC day of an hour since the epoch (floor division: the day holding hours 24d … 24d + 23).</summary>
    public static long DayOf(long hour) => hour >= 0 ? hour / 24 : (hour - 23) / 24;

    /// <summary>A day row with an hour row's counters.</summary>
    public static CallDayRollup Of(CallHourRollup hour)
    {
        var day = DayOf(hour.Hour);
        var d = new CallDayRollup { Key = KeyOf(day, hour.Queue, hour.AgentId), Day = day, Queue = hour.Queue, AgentId = hour.AgentId };
        d.Add(hour);
        return d;
    }
}

/// <summary>
/// The same counters per hour and queue, without the agent (issue 22): the sum of the hour's <see cref="CallHourRollup"/>
/// rows of one queue, kept by the same statements in the same transaction. Every grouping that does not name the agent
/// (hour, local day, month, queue, none) reads these — 2 rows an hour for 2 queues instead of one per queue × agent.
/// </summary>
public sealed class CallQueueHourRollup : CallRollupCounts
{
    /// <summary>"hour|queue".</summary>
    public string Key { get; set; } = "";
    /// <summary>Hours since the Unix epoch (UTC) of the call's offer (a rating: of the rating).</summary>
    public long Hour { get; set; }
    public string Queue { get; set; } = "";

    public static string KeyOf(long hour, string queue) => $"{hour}|{queue}";

    /// <summary>A queue-hour row with an hour row's counters.</summary>
    public static CallQueueHourRollup Of(CallHourRollup hour)
    {
        var d = new CallQueueHourRollup { Key = KeyOf(hour.Hour, hour.Queue), Hour = hour.Hour, Queue = hour.Queue };
        d.Add(hour);
        return d;
    }
}

/// <summary>A declared period excluded from the indicators (system failure, traffic beyond seat capacity).</summary>
public sealed class ExclusionWindow
{
    public long Id { get; set; }
    public DateTime From { get; set; }
    public DateTime To { get; set; }
    public string Reason { get; set; } = "";
}
