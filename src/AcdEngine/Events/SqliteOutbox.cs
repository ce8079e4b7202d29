using Google.Protobuf;
using Hotline.Contracts.V1;
using Microsoft.Data.Sqlite;

namespace Hotline.AcdEngine.Events;

/// <summary>An event waiting in the outbox.</summary>
public sealed record PendingEvent(long RowId, string EventId, IngestEnvelope Envelope);

/// <summary>
/// The durable outbox (ARCHITECTURE.md: appended before send, deleted on ack): one SQLite file under
/// <c>Data:Path</c>, WAL journal. Agent event sequences are stored in the same transaction as the event so the
/// numbering survives a restart.
/// </summary>
public sealed class SqliteOutbox : IEventSink, IAgentSequenceStore, IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _upsertSeq;
    private readonly SqliteCommand _delete;

    public SqliteOutbox(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        Exec("PRAGMA journal_mode=WAL;");
        // synchronous=NORMAL with WAL: a committed append survives a process crash or kill (the engine restart
        // case); only an OS crash can lose the last transactions.
        Exec("PRAGMA synchronous=NORMAL;");
        Exec("""
            CREATE TABLE IF NOT EXISTS outbox(row_id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, envelope BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS dead_letter(event_id TEXT PRIMARY KEY, envelope BLOB NOT NULL, error TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS agent_sequence(agent_id TEXT PRIMARY KEY, sequence INTEGER NOT NULL);
            """);
        Exec(OpenCallJournal.Schema);
        _insert = Prepare("INSERT OR IGNORE INTO outbox(event_id, envelope) VALUES ($id, $env)", "$id", "$env");
        _upsertSeq = Prepare("INSERT INTO agent_sequence(agent_id, sequence) VALUES ($a, $s) ON CONFLICT(agent_id) DO UPDATE SET sequence = excluded.sequence", "$a", "$s");
        _delete = Prepare("DELETE FROM outbox WHERE event_id = $id", "$id");
        // Calls a killed run left open are closed before this run takes any call (COMMON.md engine-failure contract).
        var closing = OpenCallJournal.ClosingEvents(_db);
        foreach (var e in closing) Append(new IngestEnvelope { Call = e });
        CallsClosedAtStart = closing.Where(e => e.PayloadCase == CallEvent.PayloadOneofCase.Ended).Select(e => e.CallId).ToList();
    }

    /// <summary>Calls found open at start (the previous run died with them) and closed as ended by engine failure.</summary>
    public IReadOnlyList<string> CallsClosedAtStart { get; }

    /// <summary>Calls this engine has open, as journaled with their events (a figure for the soak).</summary>
    public long OpenCallCount() => Scalar("SELECT COUNT(*) FROM open_call");

    /// <summary>Raised after each append (the publisher wakes up).</summary>
    public event Action? Appended;

    public void Append(IngestEnvelope envelope)
    {
        var id = envelope.EventCase == IngestEnvelope.EventOneofCase.Call ? envelope.Call.EventId : envelope.Agent.EventId;
        lock (_gate)
        {
            using var tx = _db.BeginTransaction();
            _insert.Transaction = tx;
            _insert.Parameters[0].Value = id;
            _insert.Parameters[1].Value = envelope.ToByteArray();
            _insert.ExecuteNonQuery();
            if (envelope.EventCase == IngestEnvelope.EventOneofCase.Call) OpenCallJournal.Record(_db, tx, envelope.Call);
            if (envelope.EventCase == IngestEnvelope.EventOneofCase.Agent)
            {
                _upsertSeq.Transaction = tx;
                _upsertSeq.Parameters[0].Value = envelope.Agent.AgentId;
                _upsertSeq.Parameters[1].Value = (long)envelope.Agent.Sequence;
                _upsertSeq.ExecuteNonQuery();
            }
            tx.Commit();
        }
        Appended?.Invoke();
    }

    /// <summary>Up to <paramref name="limit"/> events after <paramref name="afterRowId"/>, oldest first.</summary>
    public IReadOnlyList<PendingEvent> ReadPending(long afterRowId, int limit)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT row_id, event_id, envelope FROM outbox WHERE row_id > $after ORDER BY row_id LIMIT $limit";
            cmd.Parameters.AddWithValue("$after", afterRowId);
            cmd.Parameters.AddWithValue("$limit", limit);
            using var reader = cmd.ExecuteReader();
            var list = new List<PendingEvent>();
            while (reader.Read())
                list.Add(new PendingEvent(reader.GetInt64(0), reader.GetString(1), IngestEnvelope.Parser.ParseFrom((byte[])reader[2])));
            return list;
        }
    }

    /// <summary>TicketApi acknowledged the event: it leaves the outbox.</summary>
    public void Delete(string eventId)
    {
        lock (_gate)
        {
            _delete.Transaction = null;
            _delete.Parameters[0].Value = eventId;
            _delete.ExecuteNonQuery();
        }
    }

    /// <summary>TicketApi rejected the event as malformed (ingest.proto): kept aside for an operator, never resent.</summary>
    public void DeadLetter(string eventId, string error)
    {
        lock (_gate)
        {
            using var tx = _db.BeginTransaction();
            using var move = _db.CreateCommand();
            move.Transaction = tx;
            move.CommandText = "INSERT OR REPLACE INTO dead_letter(event_id, envelope, error) SELECT event_id, envelope, $err FROM outbox WHERE event_id = $id; DELETE FROM outbox WHERE event_id = $id;";
            move.Parameters.AddWithValue("$id", eventId);
            move.Parameters.AddWithValue("$err", error);
            move.ExecuteNonQuery();
            tx.Commit();
        }
    }

    public long PendingCount() => Scalar("SELECT COUNT(*) FROM outbox");

    public long DeadLetterCount() => Scalar("SELECT COUNT(*) FROM dead_letter");

    /// <summary>When the oldest event still waiting for TicketApi's ack happened; null when the outbox is empty (metrics).</summary>
    public DateTimeOffset? OldestPendingAt()
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT envelope FROM outbox ORDER BY row_id LIMIT 1";
            if (cmd.ExecuteScalar() is not byte[] bytes) return null;
            var envelope = IngestEnvelope.Parser.ParseFrom(bytes);
            var at = envelope.EventCase == IngestEnvelope.EventOneofCase.Call ? envelope.Call.OccurredAt : envelope.Agent?.OccurredAt;
            return at?.ToDateTimeOffset();
        }
    }

    public IReadOnlyDictionary<string, ulong> LastSequences()
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT agent_id, sequence FROM agent_sequence";
            using var reader = cmd.ExecuteReader();
            var map = new Dictionary<string, ulong>(StringComparer.Ordinal);
            while (reader.Read()) map[reader.GetString(0)] = (ulong)reader.GetInt64(1);
            return map;
        }
    }

    public void Dispose()
    {
        _insert.Dispose();
        _upsertSeq.Dispose();
        _delete.Dispose();
        _db.Dispose();
    }

    private long Scalar(string sql)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            return (long)cmd.ExecuteScalar()!;
        }
    }

    private void Exec(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, params string[] names)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var n in names) cmd.Parameters.Add(new SqliteParameter { ParameterName = n });
        cmd.Prepare();
        return cmd;
    }
}
