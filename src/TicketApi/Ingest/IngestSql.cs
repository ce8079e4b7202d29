using System.Data;
using System.Data.Common;
using Hotline.Contracts.V1;
using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.Metrics;
using Hotline.TicketApi.WorkOrders;

namespace Hotline.TicketApi.Ingest;

/// <summary>
/// The ingest's writes as prepared ADO.NET commands on the DbContext's connection and transaction: change
/// tracking costs ~1 ms per row at 2,000-event batches, these ~10 µs. The statements that differ per provider, and
/// why they are safe with several TicketApi instances on one database, are in <see cref="IngestStatements"/>.
/// </summary>
internal sealed partial class IngestSql(DbConnection connection, DbTransaction transaction, StoreDialect dialect) : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private readonly IngestStatements _sql = IngestStatements.For(dialect);

    /// <summary>Stores the event id (and the event) unless it is already stored: false means a duplicate.</summary>
    public bool TryInsertCallEvent(CallEventRow e) => RunOnce(_sql.InsertCallEvent,
        e.EventId, e.CallId, e.Sequence, e.Kind, e.OccurredAt, e.Payload);

    /// <inheritdoc cref="TryInsertCallEvent"/>
    public bool TryInsertAgentEvent(AgentEventRow e) => RunOnce(_sql.InsertAgentEvent,
        e.EventId, e.AgentId, e.Sequence, e.OccurredAt, e.Status, e.PreviousStatus, e.Reason, e.CallId);

    /// <summary>One row affected = stored; a unique-key clash (SQL Server 2627/2601, should one get past the lock) = a duplicate.</summary>
    private bool RunOnce(string sql, params object?[] values)
    {
        try
        {
            return Run(sql, values) == 1;
        }
        catch (Microsoft.Data.SqlClient.SqlException ex) when (ex.Number is 2627 or 2601)
        {
            // SQL Server ends only the statement on a key violation (XACT_ABORT is off): the transaction goes on.
            return false;
        }
    }

    public void InsertRejected(RejectedEvent e) => Run("""
        INSERT INTO "RejectedEvents" ("EventId", "ReceivedAt", "Error", "Payload") VALUES (@p0, @p1, @p2, @p3)
        """, e.EventId, e.ReceivedAt, e.Error, e.Payload);

    private static object?[] CallValues(CallRecord c) =>
    [
        c.NodeId, c.Direction, c.CallerNumber, c.CallerName, c.DialedNumber, c.ForWorkOrderId, c.OfferedAt, c.IvrNature, c.Queue,
        c.QueuedAt, c.ServiceLevelMs, c.AnsweredAt, c.AgentId, c.WaitMs, c.WithinServiceLevel, c.AbandonedAt, c.AbandonPoint,
        c.CallbackNumber, c.VoicemailLocation, c.Recording, c.EndedAt, c.HangupBy, c.TalkMs, c.HoldMs, c.FirstResponderAgentId,
        c.EndReason, c.Satisfaction, c.EventCount, c.EndSequence, c.Complete, c.CompletedAt, c.RatedAt, c.CallId,
    ];

    private static readonly string UpdateCallSql =
        $"UPDATE \"Calls\" SET {string.Join(", ", IngestStatements.CallColumns.Select((c, i) => $"\"{c}\" = @p{i}"))} WHERE \"CallId\" = @p{IngestStatements.CallColumns.Length}";

    public void InsertCall(CallRecord c) => Run(_sql.InsertCall, CallValues(c));

    public void UpdateCall(CallRecord c) => Run(UpdateCallSql, CallValues(c));

    /// <summary>
    /// True when the dialect claims a new call by inserting its blank row (<see cref="TryClaimCall"/>), so that the row
    /// can be locked and the batch's projection is written back with <see cref="UpdateCall"/>.
    /// </summary>
    public bool ClaimsNewCalls => _sql.ClaimCall is not null;

    /// <summary>Inserts the call's blank row unless another batch has stored it: false = read it (locked) instead.</summary>
    public bool TryClaimCall(string callId) => Run(_sql.ClaimCall!, CallValues(new CallRecord { CallId = callId })) == 1;

    /// <summary>Adds a call rollup's deltas in SQL, so the row never needs reading back.</summary>
    public void AddToRollup(CallHourRollup d) => AddCalls(_sql.AddToRollup, _sql.InsertRollup, d, d.Key, d.Hour, d.Queue, d.AgentId);

    /// <summary>Adds a call day rollup's deltas in SQL (issue 22), as <see cref="AddToRollup"/>.</summary>
    public void AddToDayRollup(CallDayRollup d) => AddCalls(_sql.AddToDayRollup, _sql.InsertDayRollup, d, d.Key, d.Day, d.Queue, d.AgentId);

    /// <summary>Adds a call hour-and-queue rollup's deltas in SQL (issue 22), as <see cref="AddToRollup"/>.</summary>
    public void AddToQueueHourRollup(CallQueueHourRollup d) =>
        AddCalls(_sql.AddToQueueHourRollup, _sql.InsertQueueHourRollup, d, d.Key, d.Hour, d.Queue);

    /// <summary>The update by key, else the insert of key, <paramref name="identity"/> (period, queue[, agent]) and the counters.</summary>
    private void AddCalls(string? add, string insert, CallRollupCounts d, string key, params object[] identity)
    {
        if (add is not null && Run(add, key, d.Offered, d.Answered, d.AnsweredWithinServiceLevel, d.Abandoned,
                d.AnswerWaitMsTotal, d.Rated, d.Satisfied, d.BasicallySatisfied, d.NotSatisfied) == 1)
            return;
        Run(insert, [key, .. identity, d.Offered, d.Answered, d.AnsweredWithinServiceLevel, d.Abandoned,
            d.AnswerWaitMsTotal, d.Rated, d.Satisfied, d.BasicallySatisfied, d.NotSatisfied]);
    }

    /// <summary>Adds new orders' registration counts to their hour and dimension row, in SQL.</summary>
    public void AddToOrderRollup(OrderHourRollup d) =>
        AddOrders(_sql.AddToOrderRollup, _sql.InsertOrderRollup, d, d.Key, d.Hour, d.Dimension, d.Value);

    /// <summary>Adds new orders' registration counts to their UTC day and dimension row (issue 22), in SQL.</summary>
    public void AddToOrderDayRollup(OrderDayRollup d) =>
        AddOrders(_sql.AddToOrderDayRollup, _sql.InsertOrderDayRollup, d, d.Key, d.Day, d.Dimension, d.Value);

    private void AddOrders(string? add, string insert, OrderRollupCounts d, string key, long period, string dimension, string value)
    {
        if (add is not null && Run(add, key, d.Registered, d.SmsReceived, d.HotlineComplaints) == 1)
            return;
        Run(insert, key, period, dimension, value, d.Registered, d.SmsReceived, d.HotlineComplaints);
    }

    private static readonly string[] OrderColumns =
    [
        "Kind", "Channel", "Status", "Nature", "IsMajor", "IsEmergency", "Category", "Content", "CallerName", "CallerNumber",
        "Address", "ConfidentialReporter", "CallId", "OwnerAgentId", "DepartmentId", "CreatedAt", "CreatedHour", "DispatchDueAt",
        "ExtensionsGranted", "ReturnCount", "ReworkCount", "ReopenCount", "Supervised", "Version", "AboutHotline", "ReceivedDayEndsAt",
    ];

    private static readonly string OrderColumnList = string.Join(", ", OrderColumns.Select(c => $"\"{c}\""));
    private static readonly string OrderValueList = string.Join(", ", Enumerable.Range(0, OrderColumns.Length).Select(i => $"@p{i}"));
    private static readonly string InsertOrderSqlServer = $"INSERT INTO \"WorkOrders\" ({OrderColumnList}) OUTPUT INSERTED.\"Id\" VALUES ({OrderValueList})";
    private static readonly string InsertOrderReturning = $"INSERT INTO \"WorkOrders\" ({OrderColumnList}) VALUES ({OrderValueList}) RETURNING \"Id\"";

    private static object?[] OrderValues(WorkOrder o) =>
    [
        (int)o.Kind, (int)o.Channel, (int)o.Status, o.Nature, o.IsMajor, o.IsEmergency, o.Category, o.Content, o.CallerName,
        o.CallerNumber, o.Address, o.ConfidentialReporter, o.CallId, o.OwnerAgentId, o.DepartmentId, o.CreatedAt, o.CreatedHour,
        o.DispatchDueAt, o.ExtensionsGranted, o.ReturnCount, o.ReworkCount, o.ReopenCount, o.Supervised, o.Version, o.AboutHotline,
        o.ReceivedDayEndsAt,
    ];

    /// <summary>Inserts a newly registered order (nothing beyond registration is set yet) and its audit rows.</summary>
    public void InsertNewOrder(WorkOrder o)
    {
        var sql = dialect == StoreDialect.SqlServer ? InsertOrderSqlServer : InsertOrderReturning;
        var id = Convert.ToInt64(Scalar(sql, OrderValues(o)), System.Globalization.CultureInfo.InvariantCulture);
        foreach (var a in o.Audit)
            Run("""
                INSERT INTO "AuditEntries" ("WorkOrderId", "At", "ActorId", "ActorRole", "Action", "StatusBefore", "StatusAfter", "Detail")
                VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7)
                """, id, a.At, a.ActorId, a.ActorRole, a.Action, a.StatusBefore is null ? null : (int)a.StatusBefore, (int)a.StatusAfter, a.Detail);
    }

    // Row by row on SQLite and SQL Server; PostgreSQL applies a batch with whole-batch statements instead
    // (IngestSql.Postgres.cs: one statement per table, each column one array parameter). Measured on SQLite (issue 22):
    // multi-row statements lose there — Microsoft.Data.Sqlite binds every parameter by name, and SQLite's name look-up is
    // a linear scan, so a statement of n parameters costs n²/2 string compares (4,000 parameters: 342 µs per event
    // against 60); a chunk sent as one JSON parameter read by json_each re-parses each row's JSON per column (106 µs).
    // SQLite is in-process, so a prepared statement per row pays no round trip anyway.

    /// <summary>True when <see cref="CallsWithMatterOrder"/> serves the batch's calls in one query.</summary>
    public bool LooksUpInBulk => dialect != StoreDialect.SqlServer;

    /// <summary>Of <paramref name="callIds"/>, those that already have a matter order (issue 17: registered on the desk during the call).</summary>
    public HashSet<string> CallsWithMatterOrder(List<string> callIds)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (callIds.Count == 0) return found;
        // One parameter for the whole list (a JSON array on SQLite, an array on PostgreSQL), each id looked up in the CallId index.
        object list = dialect == StoreDialect.Sqlite ? System.Text.Json.JsonSerializer.Serialize(callIds) : callIds.ToArray();
        var sql = dialect == StoreDialect.Sqlite
            ? "SELECT DISTINCT \"CallId\" FROM \"WorkOrders\" WHERE \"Kind\" = @p0 AND \"CallId\" IN (SELECT value FROM json_each(@p1))"
            : "SELECT DISTINCT \"CallId\" FROM \"WorkOrders\" WHERE \"Kind\" = @p0 AND \"CallId\" = ANY(@p1)";
        using var r = Prepare(sql, [(int)WorkOrderKind.Matter, list]).ExecuteReader();
        while (r.Read()) found.Add(r.GetString(0));
        return found;
    }

    // Point look-ups by primary key, prepared once per batch: cheaper than one IN/json_each query of 2,000 ids.

    /// <summary>The stored call, its row locked to the end of the batch's transaction on server databases.</summary>
    public CallRecord? FindCall(string callId)
    {
        using var r = Prepare(_sql.SelectCall, [callId]).ExecuteReader();
        return r.Read() ? ReadCall(r, callId) : null;
    }

    /// <summary>A call's row as read in <see cref="IngestStatements.CallColumns"/> order.</summary>
    private static CallRecord ReadCall(DbDataReader r, string callId)
    {
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        DateTime? T(int i) => r.IsDBNull(i) ? null : DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc);
        int? I(int i) => r.IsDBNull(i) ? null : r.GetInt32(i);
        return new CallRecord
        {
            CallId = callId, NodeId = S(0), Direction = r.GetInt32(1), CallerNumber = S(2), CallerName = S(3), DialedNumber = S(4),
            ForWorkOrderId = S(5), OfferedAt = T(6), IvrNature = S(7), Queue = S(8), QueuedAt = T(9), ServiceLevelMs = r.GetInt32(10),
            AnsweredAt = T(11), AgentId = S(12), WaitMs = I(13), WithinServiceLevel = r.GetBoolean(14), AbandonedAt = T(15),
            AbandonPoint = I(16), CallbackNumber = S(17), VoicemailLocation = S(18), Recording = S(19), EndedAt = T(20),
            HangupBy = I(21), TalkMs = r.GetInt32(22), HoldMs = r.GetInt32(23), FirstResponderAgentId = S(24), EndReason = S(25),
            Satisfaction = I(26), EventCount = r.GetInt32(27), EndSequence = r.IsDBNull(28) ? null : r.GetInt64(28),
            Complete = r.GetBoolean(29), CompletedAt = T(30), RatedAt = T(31),
        };
    }

    /// <summary>The call's last TransferFailed (issue 8: the department could not be reached), if any; uses the (CallId, Sequence) index.</summary>
    public TransferFailed? LastTransferFailed(string callId) =>
        Scalar(_sql.LastTransferFailed, callId, nameof(CallEvent.PayloadOneofCase.TransferFailed)) is byte[] payload
            ? CallEvent.Parser.ParseFrom(payload).TransferFailed
            : null;

    private const string MatterOrderOfCallSql =
        "SELECT COUNT(*) FROM \"WorkOrders\" WHERE \"CallId\" = @p0 AND \"Kind\" = @p1";

    /// <summary>
    /// Issue 17: the call already has its matter order (the agent registered it on the desk during the call), so the
    /// ingest must not open a second, empty one. Served by the CallId index.
    /// </summary>
    public bool HasMatterOrder(string callId) =>
        Convert.ToInt64(Scalar(MatterOrderOfCallSql, callId, (int)WorkOrderKind.Matter), System.Globalization.CultureInfo.InvariantCulture) > 0;

    private int Run(string sql, params object?[] values) => Prepare(sql, values).ExecuteNonQuery();

    private object? Scalar(string sql, params object?[] values) => Prepare(sql, values).ExecuteScalar();

    private DbCommand Prepare(string sql, object?[] values)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            for (var i = 0; i < values.Length; i++)
            {
                var p = command.CreateParameter();
                p.ParameterName = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                command.Parameters.Add(p);
            }
            _commands[sql] = command;
        }
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
        return command;
    }

    public void Dispose()
    {
        foreach (var c in _commands.Values) c.Dispose();
    }
}
