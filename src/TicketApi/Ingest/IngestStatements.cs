using Hotline.TicketApi.Data;

namespace Hotline.TicketApi.Ingest;

/// <summary>
/// The ingest's hand-written SQL per <see cref="StoreDialect"/>, built once. Safe with several TicketApi instances on
/// one database (scaling.md), each statement by its dialect's own means:
/// <list type="bullet">
/// <item>an event id is inserted once: <c>ON CONFLICT DO NOTHING</c> (SQLite, PostgreSQL: a concurrent insert of the
/// same key waits for the other transaction, then does nothing); SQL Server <c>INSERT … SELECT … WHERE NOT EXISTS</c>
/// under <c>UPDLOCK, HOLDLOCK</c> (the key range stays locked to the end of the transaction, so two sessions cannot
/// both find the key absent), and a unique-key error 2627/2601 that still gets through counts as a duplicate;</item>
/// <item>a call's row is read locked (<c>FOR UPDATE</c>; <c>UPDLOCK, HOLDLOCK</c>), so two batches carrying events of
/// one call apply them one after the other, never both onto the same old row (a lost update); on PostgreSQL a call
/// not stored yet is claimed by inserting its blank row (row locks exist only on rows);</item>
/// <item>a rollup row is added to in SQL by an upsert (<c>ON CONFLICT ("Key") DO UPDATE</c>); SQL Server updates
/// under <c>UPDLOCK, SERIALIZABLE</c> and inserts when nothing was updated.</item>
/// </list>
/// SQLite takes the database's write lock at <c>BEGIN IMMEDIATE</c> (Microsoft.Data.Sqlite's default), so its batches
/// never interleave anyway. PostgreSQL's ingest applies a batch with <see cref="PostgresBatchStatements"/> instead (the
/// same rules, one statement per table per batch); its row statements here are kept as the reference those follow.
/// </summary>
internal sealed class IngestStatements
{
    public static IngestStatements For(StoreDialect dialect) => dialect switch
    {
        StoreDialect.SqlServer => SqlServer,
        StoreDialect.PostgreSql => PostgreSql,
        _ => Sqlite,
    };

    public static readonly string[] CallEventColumns = ["EventId", "CallId", "Sequence", "Kind", "OccurredAt", "Payload"];
    public static readonly string[] AgentEventColumns = ["EventId", "AgentId", "Sequence", "OccurredAt", "Status", "PreviousStatus", "Reason", "CallId"];

    public static readonly string[] CallColumns =
    [
        "NodeId", "Direction", "CallerNumber", "CallerName", "DialedNumber", "ForWorkOrderId", "OfferedAt", "IvrNature", "Queue",
        "QueuedAt", "ServiceLevelMs", "AnsweredAt", "AgentId", "WaitMs", "WithinServiceLevel", "AbandonedAt", "AbandonPoint",
        "CallbackNumber", "VoicemailLocation", "Recording", "EndedAt", "HangupBy", "TalkMs", "HoldMs", "FirstResponderAgentId",
        "EndReason", "Satisfaction", "EventCount", "EndSequence", "Complete", "CompletedAt", "RatedAt",
    ];

    private static readonly string[] RollupCounters =
        ["Offered", "Answered", "AnsweredWithinServiceLevel", "Abandoned", "AnswerWaitMsTotal", "Rated", "Satisfied", "BasicallySatisfied", "NotSatisfied"];

    private static readonly string[] OrderRollupCounters = ["Registered", "SmsReceived", "HotlineComplaints"];

    // After the column lists: static fields initialise in text order.
    private static readonly IngestStatements Sqlite = new(StoreDialect.Sqlite);
    private static readonly IngestStatements SqlServer = new(StoreDialect.SqlServer);
    private static readonly IngestStatements PostgreSql = new(StoreDialect.PostgreSql);

    private IngestStatements(StoreDialect dialect)
    {
        Dialect = dialect;
        InsertCallEvent = InsertOnce("CallEvents", CallEventColumns);
        InsertAgentEvent = InsertOnce("AgentEvents", AgentEventColumns);
        var callColumns = string.Join(", ", CallColumns.Select(Quote));
        InsertCall = $"INSERT INTO \"Calls\" ({callColumns}, \"CallId\") VALUES ({Parameters(CallColumns.Length + 1)})";
        ClaimCall = dialect == StoreDialect.PostgreSql ? InsertCall + " ON CONFLICT DO NOTHING" : null;
        SelectCall = dialect switch
        {
            StoreDialect.SqlServer => $"SELECT {callColumns} FROM \"Calls\" WITH (UPDLOCK, HOLDLOCK) WHERE \"CallId\" = @p0",
            StoreDialect.PostgreSql => $"SELECT {callColumns} FROM \"Calls\" WHERE \"CallId\" = @p0 FOR UPDATE",
            _ => $"SELECT {callColumns} FROM \"Calls\" WHERE \"CallId\" = @p0",
        };
        (InsertRollup, AddToRollup) = Upsert("CallHourRollups",
            ["Key", "Hour", "Queue", "AgentId", .. RollupCounters], RollupCounters);
        (InsertOrderRollup, AddToOrderRollup) = Upsert("OrderHourRollups",
            ["Key", "Hour", "Dimension", "Value", .. OrderRollupCounters], OrderRollupCounters,
            // The counters the ingest never sets start at 0.
            ["DispatchedOnTime", "DispatchedLate", "RepliedOnTime", "RepliedLate", "Reworked", "CalledBackOnTime", "CalledBackLate",
             "CallbackSatisfied", "CallerAnswered", "SmsAnsweredSameDay", "Returned", "FlaggedOverdue"]);
        // Issue 22: the per-UTC-day rows, added to by the same kind of upsert right after the hour rows.
        (InsertDayRollup, AddToDayRollup) = Upsert("CallDayRollups",
            ["Key", "Day", "Queue", "AgentId", .. RollupCounters], RollupCounters);
        // Issue 22: the per-hour-and-queue rows (no agent), added to by the same kind of upsert right after the hour rows.
        (InsertQueueHourRollup, AddToQueueHourRollup) = Upsert("CallQueueHourRollups",
            ["Key", "Hour", "Queue", .. RollupCounters], RollupCounters);
        (InsertOrderDayRollup, AddToOrderDayRollup) = Upsert("OrderDayRollups",
            ["Key", "Day", "Dimension", "Value", .. OrderRollupCounters], OrderRollupCounters,
            ["DispatchedOnTime", "DispatchedLate", "RepliedOnTime", "RepliedLate", "Reworked", "CalledBackOnTime", "CalledBackLate",
             "CallbackSatisfied", "CallerAnswered", "SmsAnsweredSameDay", "Returned", "FlaggedOverdue"]);
        LastTransferFailed = dialect == StoreDialect.SqlServer
            ? "SELECT TOP 1 \"Payload\" FROM \"CallEvents\" WHERE \"CallId\" = @p0 AND \"Kind\" = @p1 ORDER BY \"Sequence\" DESC"
            : "SELECT \"Payload\" FROM \"CallEvents\" WHERE \"CallId\" = @p0 AND \"Kind\" = @p1 ORDER BY \"Sequence\" DESC LIMIT 1";
    }

    public StoreDialect Dialect { get; }

    /// <summary>@p0..: the event's columns in <see cref="CallEventColumns"/> order; one row affected = stored, 0 = duplicate.</summary>
    public string InsertCallEvent { get; }

    /// <summary>@p0..: the event's columns in <see cref="AgentEventColumns"/> order.</summary>
    public string InsertAgentEvent { get; }

    /// <summary>@p0..: <see cref="CallColumns"/>, then the call id.</summary>
    public string InsertCall { get; }

    /// <summary>PostgreSQL: inserts a call's row unless it exists (0 rows: another batch has it, read it locked); null elsewhere.</summary>
    public string? ClaimCall { get; }

    /// <summary>@p0 call id → <see cref="CallColumns"/>, the row locked to the end of the transaction where the dialect needs it.</summary>
    public string SelectCall { get; }

    /// <summary>
    /// A rollup row's deltas (@p0 key, hour, queue, agent, then the counters): an upsert on SQLite/PostgreSQL; on
    /// SQL Server a plain insert, run only when <see cref="AddToRollup"/> found no row (its range lock is held).
    /// </summary>
    public string InsertRollup { get; }

    /// <summary>SQL Server only: adds the deltas under a key-range lock (@p0 key, @p1.. counters); 0 rows = run the insert.</summary>
    public string? AddToRollup { get; }

    /// <inheritdoc cref="InsertRollup"/>
    public string InsertOrderRollup { get; }

    /// <inheritdoc cref="AddToRollup"/>
    public string? AddToOrderRollup { get; }

    /// <summary>As <see cref="InsertRollup"/>, for the per-UTC-day call rows (@p0 key, day, queue, agent, then the counters).</summary>
    public string InsertDayRollup { get; }

    /// <inheritdoc cref="AddToRollup"/>
    public string? AddToDayRollup { get; }

    /// <summary>As <see cref="InsertRollup"/>, for the per-hour-and-queue call rows (@p0 key, hour, queue, then the counters).</summary>
    public string InsertQueueHourRollup { get; }

    /// <inheritdoc cref="AddToRollup"/>
    public string? AddToQueueHourRollup { get; }

    /// <summary>As <see cref="InsertOrderRollup"/>, for the per-UTC-day order rows.</summary>
    public string InsertOrderDayRollup { get; }

    /// <inheritdoc cref="AddToRollup"/>
    public string? AddToOrderDayRollup { get; }

    public string LastTransferFailed { get; }

    private string InsertOnce(string table, string[] columns)
    {
        var names = string.Join(", ", columns.Select(Quote));
        return Dialect == StoreDialect.SqlServer
            ? $"INSERT INTO \"{table}\" ({names}) SELECT {Parameters(columns.Length)} WHERE NOT EXISTS " +
              $"(SELECT 1 FROM \"{table}\" WITH (UPDLOCK, HOLDLOCK) WHERE \"EventId\" = @p0)"
            : $"INSERT INTO \"{table}\" ({names}) VALUES ({Parameters(columns.Length)}) ON CONFLICT DO NOTHING";
    }

    /// <summary>
    /// (upsert, null) on SQLite/PostgreSQL; (insert, locked update) on SQL Server. Parameters: the insert's columns in
    /// order (@p0 = "Key"); the SQL Server update takes @p0 = key and the counters as @p1...
    /// </summary>
    private (string Insert, string? Add) Upsert(string table, string[] columns, string[] counters, string[]? zeroes = null)
    {
        zeroes ??= [];
        var insert = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Concat(zeroes).Select(Quote))}) " +
                     $"VALUES ({Parameters(columns.Length)}{string.Concat(zeroes.Select(_ => ", 0"))})";
        if (Dialect == StoreDialect.SqlServer)
        {
            var set = string.Join(", ", counters.Select((c, i) => $"{Quote(c)} = {Quote(c)} + @p{i + 1}"));
            return (insert, $"UPDATE \"{table}\" WITH (UPDLOCK, SERIALIZABLE) SET {set} WHERE \"Key\" = @p0");
        }
        var add = string.Join(", ", counters.Select(c => $"{Quote(c)} = \"{table}\".{Quote(c)} + excluded.{Quote(c)}"));
        return (insert + $" ON CONFLICT (\"Key\") DO UPDATE SET {add}", null);
    }

    private static string Quote(string name) => $"\"{name}\"";

    private static string Parameters(int count) =>
        string.Join(", ", Enumerable.Range(0, count).Select(i => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
