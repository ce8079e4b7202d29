using Hotline.Contracts.V1;
using Microsoft.Data.Sqlite;

namespace Hotline.AcdEngine.Events;

/// <summary>
/// The calls this engine has open, kept in the outbox database in the same transaction as each call event (so the
/// journal is exactly as current as the outbox). After a kill, the next start closes every call still listed with
/// the agreed engine-failure events (COMMON.md): <c>CallAbandoned</c> for a caller still in the IVR, queue or
/// ringing, then <c>CallEnded { HANGUP_BY_SYSTEM, "engine-failure" }</c>, with deterministic event ids so that a
/// surviving engine closing the same call from Redis is de-duplicated by TicketApi.
/// </summary>
internal static class OpenCallJournal
{
    public const string Reason = OpenCallRecord.Reason;

    public const string Schema = """
        CREATE TABLE IF NOT EXISTS open_call(call_id TEXT PRIMARY KEY, node_id TEXT NOT NULL, direction INTEGER NOT NULL,
          phase TEXT NOT NULL, queue TEXT NOT NULL, queued_at_ms INTEGER NOT NULL, last_sequence INTEGER NOT NULL, last_at_ms INTEGER NOT NULL);
        """;

    /// <summary>
    /// Updates the journal for one call event, inside the outbox's append transaction. <paramref name="statements"/> keeps
    /// each statement prepared once per connection (a call's ~10 events would otherwise parse ~10 statements).
    /// </summary>
    public static void Record(PreparedStatements statements, SqliteTransaction tx, CallEvent e)
    {
        const string Touch = "last_sequence = max(last_sequence, $seq), last_at_ms = max(last_at_ms, $at)";
        var sql = e.PayloadCase switch
        {
            CallEvent.PayloadOneofCase.Offered => "INSERT OR IGNORE INTO open_call VALUES ($id, $node, $dir, 'ivr', '', 0, $seq, $at)",
            CallEvent.PayloadOneofCase.Queued => $"UPDATE open_call SET phase = 'queue', queue = $q, queued_at_ms = $at, {Touch} WHERE call_id = $id",
            CallEvent.PayloadOneofCase.AgentRinging => $"UPDATE open_call SET phase = 'ringing', {Touch} WHERE call_id = $id AND phase <> 'talking'",
            CallEvent.PayloadOneofCase.RingEnded when e.RingEnded.Result != RingResult.Answered =>
                $"UPDATE open_call SET phase = 'queue', {Touch} WHERE call_id = $id AND phase = 'ringing'",
            CallEvent.PayloadOneofCase.Answered => $"UPDATE open_call SET phase = 'talking', {Touch} WHERE call_id = $id",
            CallEvent.PayloadOneofCase.Abandoned => $"UPDATE open_call SET phase = 'abandoned', {Touch} WHERE call_id = $id",
            CallEvent.PayloadOneofCase.Ended => "DELETE FROM open_call WHERE call_id = $id",
            _ => $"UPDATE open_call SET {Touch} WHERE call_id = $id",
        };
        var cmd = statements.Get(sql);
        cmd.Transaction = tx;
        cmd.Parameters.Clear(); // Parameters a statement does not name are not bound (the DELETE's $seq and $at).
        cmd.Parameters.AddWithValue("$id", e.CallId);
        cmd.Parameters.AddWithValue("$seq", (long)e.Sequence);
        cmd.Parameters.AddWithValue("$at", e.OccurredAt?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0);
        if (e.PayloadCase == CallEvent.PayloadOneofCase.Offered)
        {
            cmd.Parameters.AddWithValue("$node", e.NodeId);
            cmd.Parameters.AddWithValue("$dir", (int)e.Offered.Direction);
        }
        else if (e.PayloadCase == CallEvent.PayloadOneofCase.Queued) cmd.Parameters.AddWithValue("$q", e.Queued.Queue);
        cmd.ExecuteNonQuery();
    }

    /// <summary>The closing events for every call still open (a previous run died with them up), under the node that journaled them.</summary>
    public static List<CallEvent> ClosingEvents(SqliteConnection db)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT call_id, node_id, direction, phase, queue, queued_at_ms, last_sequence, last_at_ms FROM open_call ORDER BY call_id";
        using var reader = cmd.ExecuteReader();
        var events = new List<CallEvent>();
        while (reader.Read())
        {
            var record = new OpenCallRecord(reader.GetString(0), (CallDirection)reader.GetInt32(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt64(5), (ulong)reader.GetInt64(6), reader.GetInt64(7));
            events.AddRange(record.ClosingEvents(reader.GetString(1)));
        }
        return events;
    }
}

/// <summary>
/// Statements prepared once on one connection and kept by their text (Microsoft.Data.Sqlite prepares a command's
/// statement again for every new command). Used under the owner's lock only; disposed with the connection's owner.
/// </summary>
internal sealed class PreparedStatements(SqliteConnection db) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteCommand Get(string sql)
    {
        if (_commands.TryGetValue(sql, out var cmd)) return cmd;
        cmd = db.CreateCommand();
        cmd.CommandText = sql;
        _commands[sql] = cmd;
        return cmd;
    }

    public void Dispose()
    {
        foreach (var cmd in _commands.Values) cmd.Dispose();
        _commands.Clear();
    }
}
