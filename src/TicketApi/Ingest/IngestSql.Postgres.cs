using System.Data.Common;
using Hotline.Contracts.V1;
using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;
using Npgsql;
using NpgsqlTypes;
using Statements = Hotline.TicketApi.Ingest.PostgresBatchStatements;

namespace Hotline.TicketApi.Ingest;

/// <summary>PostgreSQL's whole-batch statements (<see cref="PostgresBatchStatements"/>): one round trip per table, not per row.</summary>
internal sealed partial class IngestSql
{
    /// <summary>True when the dialect applies a batch with the whole-batch statements (PostgreSQL).</summary>
    public bool AppliesWholeBatches => dialect == StoreDialect.PostgreSql;

    /// <summary>
    /// Claims or locks every call of the batch in <paramref name="callIds"/>' order (ordinal: the one lock order of
    /// every instance) and returns each row as it now stands; a row with no event counted is one this batch claimed.
    /// </summary>
    public List<CallRecord> ClaimCalls(List<string> callIds)
    {
        var calls = new List<CallRecord>(callIds.Count);
        if (callIds.Count == 0) return calls;
        using var command = ArrayCommand(Statements.ClaimCalls, [(NpgsqlDbType.Array | NpgsqlDbType.Text, (object)callIds.ToArray())]);
        using var r = command.ExecuteReader();
        var idColumn = IngestStatements.CallColumns.Length;
        while (r.Read()) calls.Add(ReadCall(r, r.GetString(idColumn)));
        return calls;
    }

    /// <summary>Stores the rows whose event ids are not stored yet (sorted here: the lock order) and returns the ids stored now.</summary>
    public HashSet<string> InsertCallEventArrays(List<CallEventRow> rows)
    {
        rows.Sort(static (a, b) => string.CompareOrdinal(a.EventId, b.EventId));
        return StoredIds(Statements.InsertCallEvents, Statements.CallEvents.Arrays(rows), rows.Count);
    }

    /// <inheritdoc cref="InsertCallEventArrays"/>
    public HashSet<string> InsertAgentEventArrays(List<AgentEventRow> rows)
    {
        rows.Sort(static (a, b) => string.CompareOrdinal(a.EventId, b.EventId));
        return StoredIds(Statements.InsertAgentEvents, Statements.AgentEvents.Arrays(rows), rows.Count);
    }

    private HashSet<string> StoredIds(string sql, IEnumerable<(NpgsqlDbType, Array)> arrays, int count)
    {
        var stored = new HashSet<string>(count, StringComparer.Ordinal);
        if (count == 0) return stored;
        using var command = ArrayCommand(sql, arrays.Select(a => (a.Item1, (object)a.Item2)));
        using var r = command.ExecuteReader();
        while (r.Read()) stored.Add(r.GetString(0));
        return stored;
    }

    /// <summary>Each call's last TransferFailed (issue 8), for the calls of <paramref name="callIds"/> that have one: one query.</summary>
    public Dictionary<string, TransferFailed> LastTransferFailed(List<string> callIds)
    {
        var found = new Dictionary<string, TransferFailed>(StringComparer.Ordinal);
        if (callIds.Count == 0) return found;
        using var command = ArrayCommand(Statements.LastTransferFailed,
            [(NpgsqlDbType.Array | NpgsqlDbType.Text, (object)callIds.ToArray()), (NpgsqlDbType.Text, nameof(CallEvent.PayloadOneofCase.TransferFailed))]);
        using var r = command.ExecuteReader();
        while (r.Read()) found[r.GetString(0)] = CallEvent.Parser.ParseFrom((byte[])r.GetValue(1)).TransferFailed;
        return found;
    }

    /// <summary>
    /// The batch's last writes in one round trip, right before the commit: the calls' projections, the new orders with
    /// their audit rows, and the five rollups' upserts (each list sorted by key by the caller: the lock order).
    /// </summary>
    public void WriteBack(List<CallRecord> calls, List<WorkOrder> orders, CallRollupDeltas callRollups,
        List<OrderHourRollup> orderHours, List<OrderDayRollup> orderDays)
    {
        using var batch = ((NpgsqlConnection)connection).CreateBatch();
        batch.Transaction = (NpgsqlTransaction)transaction;
        if (calls.Count > 0) batch.BatchCommands.Add(BatchCommand(Statements.UpdateCalls, Statements.Calls.Arrays(calls)));
        if (orders.Count > 0)
        {
            var audit = orders.SelectMany(o => o.Audit.Select(a => (o, a))).ToList();
            batch.BatchCommands.Add(BatchCommand(Statements.InsertOrders, Statements.Orders.Arrays(orders).Concat(Statements.Audit.Arrays(audit))));
        }
        var (callHours, queueHours, callDays) = callRollups;
        if (callHours.Count > 0) batch.BatchCommands.Add(BatchCommand(Statements.UpsertCallHours, Statements.CallHours.Arrays(callHours)));
        if (queueHours.Count > 0) batch.BatchCommands.Add(BatchCommand(Statements.UpsertCallQueueHours, Statements.CallQueueHours.Arrays(queueHours)));
        if (callDays.Count > 0) batch.BatchCommands.Add(BatchCommand(Statements.UpsertCallDays, Statements.CallDays.Arrays(callDays)));
        if (orderHours.Count > 0) batch.BatchCommands.Add(BatchCommand(Statements.UpsertOrderHours, Statements.OrderHours.Arrays(orderHours)));
        if (orderDays.Count > 0) batch.BatchCommands.Add(BatchCommand(Statements.UpsertOrderDays, Statements.OrderDays.Arrays(orderDays)));
        if (batch.BatchCommands.Count > 0) batch.ExecuteNonQuery();
    }

    private NpgsqlCommand ArrayCommand(string sql, IEnumerable<(NpgsqlDbType Type, object Value)> values)
    {
        var command = new NpgsqlCommand(sql, (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        AddParameters(command.Parameters, values);
        return command;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, IEnumerable<(NpgsqlDbType Type, Array Value)> values)
    {
        var command = new NpgsqlBatchCommand(sql);
        AddParameters(command.Parameters, values.Select(v => (v.Type, (object)v.Value)));
        return command;
    }

    private static void AddParameters(NpgsqlParameterCollection parameters, IEnumerable<(NpgsqlDbType Type, object Value)> values)
    {
        var i = 0;
        foreach (var (type, value) in values)
            parameters.Add(new NpgsqlParameter("p" + i++.ToString(System.Globalization.CultureInfo.InvariantCulture), type) { Value = value });
    }
}
