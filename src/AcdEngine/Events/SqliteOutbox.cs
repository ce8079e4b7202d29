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
/// <remarks>
/// Disk full (issue 21): an append the disk refuses (SQLITE_FULL, or an I/O error) is not lost and does not fail the call
/// that raised it: the event is held in memory, in order, behind any already held (<see cref="HeldCount"/>, up to
/// <see cref="MaxHeld"/>), and written to the outbox by the next append or the retry timer once the disk takes it again
/// (then published as usual). Events past <see cref="MaxHeld"/> are dropped and counted (<see cref="DroppedCount"/>):
/// memory is bounded. The condition is logged once when it starts and once when it ends, and shown on /healthz.
/// Acked events whose delete the disk refused are deleted later (TicketApi de-duplicates a resend meanwhile).
/// </remarks>
public sealed partial class SqliteOutbox : IEventSink, IAgentSequenceStore, IDisposable
{
    /// <summary>Events held in memory at most while the disk is full (~10 min of a busy line at 20 calls/s).</summary>
    public const int MaxHeld = 100_000;

    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);

    private readonly SqliteConnection _db;
    private readonly Queue<IngestEnvelope> _held = new();
    private readonly HashSet<string> _deleteLater = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly ITimer? _retry;
    private long _dropped;
    private readonly Lock _gate = new();
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _upsertSeq;
    private readonly SqliteCommand _delete;
    private readonly SqliteCommand _readPending;
    private readonly PreparedStatements _journal;

    public SqliteOutbox(string path, TimeProvider? time = null, ILogger<SqliteOutbox>? logger = null)
    {
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
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
        _readPending = Prepare("SELECT row_id, event_id, envelope FROM outbox WHERE row_id > $after ORDER BY row_id LIMIT $limit", "$after", "$limit");
        _journal = new PreparedStatements(_db);
        // Calls a killed run left open are closed before this run takes any call (COMMON.md engine-failure contract).
        var closing = OpenCallJournal.ClosingEvents(_db);
        foreach (var e in closing) Append(new IngestEnvelope { Call = e });
        CallsClosedAtStart = closing.Where(e => e.PayloadCase == CallEvent.PayloadOneofCase.Ended).Select(e => e.CallId).ToList();
        _retry = (time ?? TimeProvider.System).CreateTimer(_ => RetryHeld(), null, RetryEvery, RetryEvery);
    }

    /// <summary>Events the full disk refused, kept in memory until it takes them (0 normally).</summary>
    public int HeldCount
    {
        get { lock (_gate) return _held.Count; }
    }

    /// <summary>Events dropped because more than <see cref="MaxHeld"/> were held (0 unless the disk stayed full very long).</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Whether the disk refuses outbox writes right now.</summary>
    public bool DiskFull
    {
        get { lock (_gate) return _held.Count > 0 || _deleteLater.Count > 0; }
    }

    /// <summary>Calls found open at start (the previous run died with them) and closed as ended by engine failure.</summary>
    public IReadOnlyList<string> CallsClosedAtStart { get; }

    /// <summary>Calls this engine has open, as journaled with their events (a figure for the soak).</summary>
    public long OpenCallCount() => Scalar("SELECT COUNT(*) FROM open_call");

    /// <summary>Raised after each append (the publisher wakes up).</summary>
    public event Action? Appended;

    /// <summary>
    /// Each call event as it is appended (or held while the disk is full), under the outbox's lock so that a call's
    /// events arrive in order: the Redis mirror of open calls (<see cref="OpenCallMirror"/>) keeps the journal's view.
    /// Handlers must be quick and must not call back into the outbox.
    /// </summary>
    public event Action<CallEvent>? CallAppended;

    public void Append(IngestEnvelope envelope)
    {
        lock (_gate)
        {
            if (envelope.EventCase == IngestEnvelope.EventOneofCase.Call) CallAppended?.Invoke(envelope.Call);
            // Behind held events (order), until the retry timer has written them: one exception a second, not per event.
            if (_held.Count > 0)
            {
                Hold(envelope);
                return;
            }
            try
            {
                using var tx = _db.BeginTransaction();
                Write(envelope, tx);
                tx.Commit();
            }
            catch (SqliteException ex) when (IsDiskFull(ex))
            {
                if (_deleteLater.Count == 0) LogDiskFull(_logger, ex.Message);
                Hold(envelope);
                return;
            }
        }
        Appended?.Invoke();
    }

    private void Write(IngestEnvelope envelope, SqliteTransaction tx)
    {
        var id = envelope.EventCase == IngestEnvelope.EventOneofCase.Call ? envelope.Call.EventId : envelope.Agent.EventId;
        _insert.Transaction = tx;
        _insert.Parameters[0].Value = id;
        _insert.Parameters[1].Value = envelope.ToByteArray();
        _insert.ExecuteNonQuery();
        if (envelope.EventCase == IngestEnvelope.EventOneofCase.Call) OpenCallJournal.Record(_journal, tx, envelope.Call);
        if (envelope.EventCase == IngestEnvelope.EventOneofCase.Agent)
        {
            _upsertSeq.Transaction = tx;
            _upsertSeq.Parameters[0].Value = envelope.Agent.AgentId;
            _upsertSeq.Parameters[1].Value = (long)envelope.Agent.Sequence;
            _upsertSeq.ExecuteNonQuery();
        }
    }

    private void Hold(IngestEnvelope envelope)
    {
        if (_held.Count >= MaxHeld)
        {
            if (Interlocked.Increment(ref _dropped) == 1) LogDropping(_logger, MaxHeld);
            return;
        }
        _held.Enqueue(envelope);
    }

    /// <summary>Writes the held events, oldest first; false when the disk still refuses (the rest stay held). Under the gate.</summary>
    private bool FlushHeld()
    {
        var written = 0;
        try
        {
            // In batches, one transaction each: a WAL commit costs pages, and the disk has only just found some room.
            while (_held.Count > 0)
            {
                var batch = Math.Min(_held.Count, 256);
                using (var tx = _db.BeginTransaction())
                {
                    foreach (var next in _held.Take(batch)) Write(next, tx);
                    tx.Commit();
                }
                for (var i = 0; i < batch; i++) _held.Dequeue();
                written += batch;
            }
            foreach (var id in _deleteLater.ToList())
            {
                DeleteRow(id);
                _deleteLater.Remove(id);
            }
        }
        catch (SqliteException ex) when (IsDiskFull(ex))
        {
            LogStillFull(_logger, _held.Count, ex.Message);
            return false;
        }
        LogDiskBack(_logger, written);
        return true;
    }

    private void RetryHeld()
    {
        bool flushed;
        try
        {
            lock (_gate)
            {
                if (_held.Count == 0 && _deleteLater.Count == 0) return;
                flushed = FlushHeld();
            }
        }
        catch (Exception ex) when (ex is SqliteException or ObjectDisposedException or InvalidOperationException)
        {
            // A timer callback must not throw (it would end the process); the next tick tries again.
            LogRetryFailed(_logger, ex);
            return;
        }
        if (flushed) Appended?.Invoke();
    }

    /// <summary>SQLITE_FULL (13), or SQLITE_IOERR (10) which a write hitting ENOSPC in the WAL may report instead.</summary>
    private static bool IsDiskFull(SqliteException ex) => ex.SqliteErrorCode is 13 or 10;

    /// <summary>Up to <paramref name="limit"/> events after <paramref name="afterRowId"/>, oldest first.</summary>
    public IReadOnlyList<PendingEvent> ReadPending(long afterRowId, int limit)
    {
        lock (_gate)
        {
            _readPending.Parameters[0].Value = afterRowId;
            _readPending.Parameters[1].Value = limit;
            using var reader = _readPending.ExecuteReader();
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
            try
            {
                DeleteRow(eventId);
            }
            catch (SqliteException ex) when (IsDiskFull(ex))
            {
                if (_deleteLater.Count == 0 && _held.Count == 0) LogDiskFull(_logger, ex.Message);
                _deleteLater.Add(eventId);
            }
        }
    }

    private void DeleteRow(string eventId)
    {
        _delete.Transaction = null;
        _delete.Parameters[0].Value = eventId;
        _delete.ExecuteNonQuery();
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
        _retry?.Dispose();
        lock (_gate)
        {
            // Stopping with the disk still full: one last try, then say how many events go with the process.
            if (_held.Count > 0 && !FlushHeld()) LogLostAtStop(_logger, _held.Count);
        }
        _insert.Dispose();
        _upsertSeq.Dispose();
        _delete.Dispose();
        _readPending.Dispose();
        _journal.Dispose();
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

    [LoggerMessage(Level = LogLevel.Critical, Message = "Engine data disk full: the outbox cannot be written ({Error}); events are held in memory (up to 100000) and written when space returns. Free space on Data:Path")]
    private static partial void LogDiskFull(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbox still refused by the disk ({Held} events held): {Error}")]
    private static partial void LogStillFull(ILogger logger, int held, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engine data disk writable again: {Count} held events written to the outbox")]
    private static partial void LogDiskBack(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Stopping with the data disk still full: {Count} held events could not be written and are lost")]
    private static partial void LogLostAtStop(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing held events to the outbox failed; trying again in a second")]
    private static partial void LogRetryFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Engine data disk still full with {Max} events held in memory: further events are DROPPED until space returns (hotline.outbox.dropped)")]
    private static partial void LogDropping(ILogger logger, int max);

    private SqliteCommand Prepare(string sql, params string[] names)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var n in names) cmd.Parameters.Add(new SqliteParameter { ParameterName = n });
        cmd.Prepare();
        return cmd;
    }
}
