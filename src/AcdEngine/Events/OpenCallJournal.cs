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

    /// <summary>Updates the journal for one call event, inside the outbox's append transaction.</summary>
    public static void Record(SqliteConnection db, SqliteTransaction tx, CallEvent e)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.Parameters.AddWithValue("$id", e.CallId);
        cmd.Parameters.AddWithValue("$seq", (long)e.Sequence);
        var at = e.OccurredAt?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0;
        cmd.Parameters.AddWithValue("$at", at);
        const string Touch = "last_sequence = max(last_sequence, $seq), last_at_ms = max(last_at_ms, $at)";
        switch (e.PayloadCase)
        {
            case CallEvent.PayloadOneofCase.Offered:
                cmd.CommandText = "INSERT OR IGNORE INTO open_call VALUES ($id, $node, $dir, 'ivr', '', 0, $seq, $at)";
                cmd.Parameters.AddWithValue("$node", e.NodeId);
                cmd.Parameters.AddWithValue("$dir", (int)e.Offered.Direction);
                break;
            case CallEvent.PayloadOneofCase.Queued:
                cmd.CommandText = $"UPDATE open_call SET phase = 'queue', queue = $q, queued_at_ms = $at, {Touch} WHERE call_id = $id";
                cmd.Parameters.AddWithValue("$q", e.Queued.Queue);
                break;
            case CallEvent.PayloadOneofCase.AgentRinging:
                cmd.CommandText = $"UPDATE open_call SET phase = 'ringing', {Touch} WHERE call_id = $id AND phase <> 'talking'";
                break;
            case CallEvent.PayloadOneofCase.RingEnded when e.RingEnded.Result != RingResult.Answered:
                cmd.CommandText = $"UPDATE open_call SET phase = 'queue', {Touch} WHERE call_id = $id AND phase = 'ringing'";
                break;
            case CallEvent.PayloadOneofCase.Answered:
                cmd.CommandText = $"UPDATE open_call SET phase = 'talking', {Touch} WHERE call_id = $id";
                break;
            case CallEvent.PayloadOneofCase.Abandoned:
                cmd.CommandText = $"UPDATE open_call SET phase = 'abandoned', {Touch} WHERE call_id = $id";
                break;
            case CallEvent.PayloadOneofCase.Ended:
                cmd.CommandText = "DELETE FROM open_call WHERE call_id = $id";
                break;
            default:
                cmd.CommandText = $"UPDATE open_call SET {Touch} WHERE call_id = $id";
                break;
        }
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
