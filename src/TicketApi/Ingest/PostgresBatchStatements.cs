using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;

namespace Hotline.TicketApi.Ingest;

/// <summary>
/// PostgreSQL's ingest as whole-batch statements (issues 19 and 22): each table's rows of a batch in one statement of
/// one array parameter per column (<see cref="ArrayColumns{TRow}"/>), so a batch of 8,000 events is about six round
/// trips instead of one or more per call. Safe with several TicketApi instances on one database, as the row-by-row
/// statements (<see cref="IngestStatements"/>), by the same means:
/// <list type="bullet">
/// <item>every call of the batch is claimed or locked by one upsert, in call-id order (<see cref="ClaimCalls"/>): a
/// call not stored yet gets its blank row (inserted, so locked), a stored one is locked by <c>ON CONFLICT DO UPDATE</c>
/// (a no-op update), and the statement returns every row as it now stands; two batches sharing calls take the rows in
/// the same order, so they wait for each other instead of deadlocking, and apply one call's events in turn;</item>
/// <item>events are inserted once, in event-id order (<c>ON CONFLICT DO NOTHING RETURNING "EventId"</c>): an id that
/// another batch holds uncommitted waits for it, then counts as a duplicate;</item>
/// <item>rollups are added to by upserts in key order, sent last with the calls' and orders' writes in one round trip
/// right before the commit, so the rows every instance shares (an hour's rollups) are held as briefly as possible.</item>
/// </list>
/// </summary>
internal static class PostgresBatchStatements
{
    public static readonly ArrayColumns<CallEventRow> CallEvents = new ArrayColumns<CallEventRow>()
        .Text("EventId", e => e.EventId).Text("CallId", e => e.CallId).Long("Sequence", e => e.Sequence).Text("Kind", e => e.Kind)
        .Time("OccurredAt", e => e.OccurredAt).Bytes("Payload", e => e.Payload);

    public static readonly ArrayColumns<AgentEventRow> AgentEvents = new ArrayColumns<AgentEventRow>()
        .Text("EventId", e => e.EventId).Text("AgentId", e => e.AgentId).Long("Sequence", e => e.Sequence).Time("OccurredAt", e => e.OccurredAt)
        .Int("Status", e => e.Status).Int("PreviousStatus", e => e.PreviousStatus).Text("Reason", e => e.Reason).Text("CallId", e => e.CallId);

    /// <summary>Every column the ingest writes, in <see cref="IngestStatements.CallColumns"/> order, then the call id.</summary>
    public static readonly ArrayColumns<CallRecord> Calls = new ArrayColumns<CallRecord>()
        .Text("NodeId", c => c.NodeId).Int("Direction", c => c.Direction).Text("CallerNumber", c => c.CallerNumber)
        .Text("CallerName", c => c.CallerName).Text("DialedNumber", c => c.DialedNumber).Text("ForWorkOrderId", c => c.ForWorkOrderId)
        .NullableTime("OfferedAt", c => c.OfferedAt).Text("IvrNature", c => c.IvrNature).Text("Queue", c => c.Queue)
        .NullableTime("QueuedAt", c => c.QueuedAt).Int("ServiceLevelMs", c => c.ServiceLevelMs).NullableTime("AnsweredAt", c => c.AnsweredAt)
        .Text("AgentId", c => c.AgentId).NullableInt("WaitMs", c => c.WaitMs).Bool("WithinServiceLevel", c => c.WithinServiceLevel)
        .NullableTime("AbandonedAt", c => c.AbandonedAt).NullableInt("AbandonPoint", c => c.AbandonPoint)
        .Text("CallbackNumber", c => c.CallbackNumber).Text("VoicemailLocation", c => c.VoicemailLocation).Text("Recording", c => c.Recording)
        .NullableTime("EndedAt", c => c.EndedAt).NullableInt("HangupBy", c => c.HangupBy).Int("TalkMs", c => c.TalkMs).Int("HoldMs", c => c.HoldMs)
        .Text("FirstResponderAgentId", c => c.FirstResponderAgentId).Text("EndReason", c => c.EndReason)
        .NullableInt("Satisfaction", c => c.Satisfaction).Int("EventCount", c => c.EventCount).NullableLong("EndSequence", c => c.EndSequence)
        .Bool("Complete", c => c.Complete).NullableTime("CompletedAt", c => c.CompletedAt).NullableTime("RatedAt", c => c.RatedAt)
        .Text("CallId", c => c.CallId);

    public static readonly ArrayColumns<WorkOrder> Orders = new ArrayColumns<WorkOrder>()
        .Int("Kind", o => (int)o.Kind).Int("Channel", o => (int)o.Channel).Int("Status", o => (int)o.Status).Text("Nature", o => o.Nature)
        .Bool("IsMajor", o => o.IsMajor).Bool("IsEmergency", o => o.IsEmergency).Text("Category", o => o.Category).Text("Content", o => o.Content)
        .Text("CallerName", o => o.CallerName).Text("CallerNumber", o => o.CallerNumber).Text("Address", o => o.Address)
        .Bool("ConfidentialReporter", o => o.ConfidentialReporter).Text("CallId", o => o.CallId).Text("OwnerAgentId", o => o.OwnerAgentId)
        .Text("DepartmentId", o => o.DepartmentId).Time("CreatedAt", o => o.CreatedAt).Long("CreatedHour", o => o.CreatedHour)
        .NullableTime("DispatchDueAt", o => o.DispatchDueAt).Int("ExtensionsGranted", o => o.ExtensionsGranted)
        .Int("ReturnCount", o => o.ReturnCount).Int("ReworkCount", o => o.ReworkCount).Int("ReopenCount", o => o.ReopenCount)
        .Bool("Supervised", o => o.Supervised).Int("Version", o => o.Version).Bool("AboutHotline", o => o.AboutHotline)
        .NullableTime("ReceivedDayEndsAt", o => o.ReceivedDayEndsAt);

    /// <summary>An order's audit entry, found again by its order's call and kind (one order of a kind per call and batch).</summary>
    public static readonly ArrayColumns<(WorkOrder Order, AuditEntry Entry)> Audit = new ArrayColumns<(WorkOrder Order, AuditEntry Entry)>()
        .Text("CallId", x => x.Order.CallId).Int("Kind", x => (int)x.Order.Kind).Time("At", x => x.Entry.At)
        .Text("ActorId", x => x.Entry.ActorId).Text("ActorRole", x => x.Entry.ActorRole).Text("Action", x => x.Entry.Action)
        .NullableInt("StatusBefore", x => x.Entry.StatusBefore is { } s ? (int)s : null).Int("StatusAfter", x => (int)x.Entry.StatusAfter)
        .Text("Detail", x => x.Entry.Detail);

    private static readonly string[] CallCounters =
        ["Offered", "Answered", "AnsweredWithinServiceLevel", "Abandoned", "AnswerWaitMsTotal", "Rated", "Satisfied", "BasicallySatisfied", "NotSatisfied"];

    private static readonly string[] OrderCounters = ["Registered", "SmsReceived", "HotlineComplaints"];

    /// <summary>The order rollups' counters the ingest never sets: 0 in a new row.</summary>
    private static readonly string[] OrderZeroes =
    [
        "DispatchedOnTime", "DispatchedLate", "RepliedOnTime", "RepliedLate", "Reworked", "CalledBackOnTime", "CalledBackLate",
        "CallbackSatisfied", "CallerAnswered", "SmsAnsweredSameDay", "Returned", "FlaggedOverdue",
    ];

    private static ArrayColumns<T> CallCounts<T>(ArrayColumns<T> columns) where T : CallRollupCounts => columns
        .Int("Offered", d => d.Offered).Int("Answered", d => d.Answered).Int("AnsweredWithinServiceLevel", d => d.AnsweredWithinServiceLevel)
        .Int("Abandoned", d => d.Abandoned).Long("AnswerWaitMsTotal", d => d.AnswerWaitMsTotal).Int("Rated", d => d.Rated)
        .Int("Satisfied", d => d.Satisfied).Int("BasicallySatisfied", d => d.BasicallySatisfied).Int("NotSatisfied", d => d.NotSatisfied);

    private static ArrayColumns<T> OrderCounts<T>(ArrayColumns<T> columns) where T : OrderRollupCounts => columns
        .Int("Registered", d => d.Registered).Int("SmsReceived", d => d.SmsReceived).Int("HotlineComplaints", d => d.HotlineComplaints);

    public static readonly ArrayColumns<CallHourRollup> CallHours = CallCounts(new ArrayColumns<CallHourRollup>()
        .Text("Key", d => d.Key).Long("Hour", d => d.Hour).Text("Queue", d => d.Queue).Text("AgentId", d => d.AgentId));

    public static readonly ArrayColumns<CallQueueHourRollup> CallQueueHours = CallCounts(new ArrayColumns<CallQueueHourRollup>()
        .Text("Key", d => d.Key).Long("Hour", d => d.Hour).Text("Queue", d => d.Queue));

    public static readonly ArrayColumns<CallDayRollup> CallDays = CallCounts(new ArrayColumns<CallDayRollup>()
        .Text("Key", d => d.Key).Long("Day", d => d.Day).Text("Queue", d => d.Queue).Text("AgentId", d => d.AgentId));

    public static readonly ArrayColumns<OrderHourRollup> OrderHours = OrderCounts(new ArrayColumns<OrderHourRollup>()
        .Text("Key", d => d.Key).Long("Hour", d => d.Hour).Text("Dimension", d => d.Dimension).Text("Value", d => d.Value));

    public static readonly ArrayColumns<OrderDayRollup> OrderDays = OrderCounts(new ArrayColumns<OrderDayRollup>()
        .Text("Key", d => d.Key).Long("Day", d => d.Day).Text("Dimension", d => d.Dimension).Text("Value", d => d.Value));

    /// <summary>@p0 text[] of call ids in call-id order → every call's row (<see cref="IngestStatements.CallColumns"/>, then "CallId"), locked.</summary>
    public static readonly string ClaimCalls =
        "INSERT INTO \"Calls\" (\"CallId\", \"Direction\", \"ServiceLevelMs\", \"WithinServiceLevel\", \"TalkMs\", \"HoldMs\", \"EventCount\", \"Complete\") " +
        "SELECT v.id, 0, 0, false, 0, 0, 0, false FROM unnest(@p0::text[]) WITH ORDINALITY AS v(id, n) ORDER BY v.n " +
        "ON CONFLICT (\"CallId\") DO UPDATE SET \"CallId\" = excluded.\"CallId\" " +
        $"RETURNING {string.Join(", ", IngestStatements.CallColumns.Select(ArrayColumns<CallRecord>.Quote))}, \"CallId\"";

    /// <summary>The batch's projections written back onto their (claimed, locked) rows.</summary>
    public static readonly string UpdateCalls =
        $"UPDATE \"Calls\" AS c SET {string.Join(", ", IngestStatements.CallColumns.Select(n => $"\"{n}\" = v.\"{n}\""))} " +
        $"FROM {Calls.Unnest("v")} WHERE c.\"CallId\" = v.\"CallId\"";

    public static readonly string InsertCallEvents =
        $"INSERT INTO \"CallEvents\" ({CallEvents.List()}) SELECT {CallEvents.List("v")} FROM {CallEvents.Unnest("v")} ON CONFLICT DO NOTHING RETURNING \"EventId\"";

    public static readonly string InsertAgentEvents =
        $"INSERT INTO \"AgentEvents\" ({AgentEvents.List()}) SELECT {AgentEvents.List("v")} FROM {AgentEvents.Unnest("v")} ON CONFLICT DO NOTHING RETURNING \"EventId\"";

    /// <summary>The new orders and their audit rows in one statement: the audit rows take their order's id from the insert's RETURNING.</summary>
    public static readonly string InsertOrders =
        $"WITH o AS (INSERT INTO \"WorkOrders\" ({Orders.List()}) SELECT {Orders.List("v")} FROM {Orders.Unnest("v")} RETURNING \"Id\", \"CallId\", \"Kind\") " +
        "INSERT INTO \"AuditEntries\" (\"WorkOrderId\", \"At\", \"ActorId\", \"ActorRole\", \"Action\", \"StatusBefore\", \"StatusAfter\", \"Detail\") " +
        "SELECT o.\"Id\", a.\"At\", a.\"ActorId\", a.\"ActorRole\", a.\"Action\", a.\"StatusBefore\", a.\"StatusAfter\", a.\"Detail\" " +
        $"FROM {Audit.Unnest("a", Orders.Count)} JOIN o ON o.\"CallId\" = a.\"CallId\" AND o.\"Kind\" = a.\"Kind\"";

    public static readonly string UpsertCallHours = Upsert("CallHourRollups", CallHours, CallCounters, []);
    public static readonly string UpsertCallQueueHours = Upsert("CallQueueHourRollups", CallQueueHours, CallCounters, []);
    public static readonly string UpsertCallDays = Upsert("CallDayRollups", CallDays, CallCounters, []);
    public static readonly string UpsertOrderHours = Upsert("OrderHourRollups", OrderHours, OrderCounters, OrderZeroes);
    public static readonly string UpsertOrderDays = Upsert("OrderDayRollups", OrderDays, OrderCounters, OrderZeroes);

    /// <summary>@p0 text[] of call ids, @p1 the TransferFailed kind → each call's last TransferFailed payload (issue 8).</summary>
    public const string LastTransferFailed =
        "SELECT DISTINCT ON (\"CallId\") \"CallId\", \"Payload\" FROM \"CallEvents\" WHERE \"CallId\" = ANY(@p0) AND \"Kind\" = @p1 " +
        "ORDER BY \"CallId\", \"Sequence\" DESC";

    /// <summary>Rows in key order (the arrays' order: the caller sorts them); a stored key's counters are added to in SQL.</summary>
    private static string Upsert<T>(string table, ArrayColumns<T> columns, string[] counters, string[] zeroes) =>
        $"INSERT INTO \"{table}\" ({columns.List()}{string.Concat(zeroes.Select(z => $", \"{z}\""))}) " +
        $"SELECT {columns.List("v")}{string.Concat(zeroes.Select(_ => ", 0"))} FROM {columns.Unnest("v")} " +
        $"ON CONFLICT (\"Key\") DO UPDATE SET {string.Join(", ", counters.Select(c => $"\"{c}\" = \"{table}\".\"{c}\" + excluded.\"{c}\""))}";
}
