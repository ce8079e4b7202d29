using Hotline.TicketApi.Data;
using Hotline.TicketApi.Ingest;

namespace Hotline.TicketApi.Tests.Ingest;

/// <summary>
/// The hand-written ingest SQL per provider. SQLite and PostgreSQL run it for real (IngestBatchTests on both,
/// ConcurrentIngestTests on PostgreSQL); SQL Server cannot run here, so its text is checked for the means that make it
/// safe with several TicketApi instances (IngestStatements).
/// </summary>
[TestFixture]
public sealed class IngestStatementsTests
{
    [Test]
    public void SqlServer_inserts_an_event_only_when_absent_under_a_held_key_range_lock()
    {
        var sql = IngestStatements.For(StoreDialect.SqlServer);
        Assert.Multiple(() =>
        {
            Assert.That(sql.InsertCallEvent, Does.StartWith("INSERT INTO \"CallEvents\" (\"EventId\", \"CallId\", \"Sequence\", \"Kind\", \"OccurredAt\", \"Payload\") SELECT @p0, @p1, @p2, @p3, @p4, @p5 WHERE NOT EXISTS"));
            Assert.That(sql.InsertCallEvent, Does.EndWith("(SELECT 1 FROM \"CallEvents\" WITH (UPDLOCK, HOLDLOCK) WHERE \"EventId\" = @p0)"));
            Assert.That(sql.InsertAgentEvent, Does.Contain("FROM \"AgentEvents\" WITH (UPDLOCK, HOLDLOCK) WHERE \"EventId\" = @p0"));
            Assert.That(sql.InsertCallEvent, Does.Not.Contain("IF NOT EXISTS"), "IF NOT EXISTS … INSERT lets two sessions both find the key absent");
        });
    }

    [Test]
    public void SqlServer_reads_a_call_with_an_update_lock_and_adds_to_rollups_under_a_serializable_update()
    {
        var sql = IngestStatements.For(StoreDialect.SqlServer);
        Assert.Multiple(() =>
        {
            Assert.That(sql.SelectCall, Does.Contain("FROM \"Calls\" WITH (UPDLOCK, HOLDLOCK) WHERE \"CallId\" = @p0"));
            Assert.That(sql.ClaimCall, Is.Null, "the held key-range lock already keeps a second batch from inserting the call");
            Assert.That(sql.AddToRollup, Does.StartWith("UPDATE \"CallHourRollups\" WITH (UPDLOCK, SERIALIZABLE) SET \"Offered\" = \"Offered\" + @p1,"));
            Assert.That(sql.AddToRollup, Does.EndWith("\"NotSatisfied\" = \"NotSatisfied\" + @p9 WHERE \"Key\" = @p0"));
            Assert.That(sql.InsertRollup, Does.Not.Contain("ON CONFLICT"));
            Assert.That(sql.AddToQueueHourRollup, Does.StartWith("UPDATE \"CallQueueHourRollups\" WITH (UPDLOCK, SERIALIZABLE) SET \"Offered\" = \"Offered\" + @p1,"));
            Assert.That(sql.InsertQueueHourRollup, Does.StartWith("INSERT INTO \"CallQueueHourRollups\" (\"Key\", \"Hour\", \"Queue\", \"Offered\"").And.Not.Contain("ON CONFLICT"));
            Assert.That(sql.AddToOrderRollup, Does.StartWith("UPDATE \"OrderHourRollups\" WITH (UPDLOCK, SERIALIZABLE) SET \"Registered\" = \"Registered\" + @p1"));
            Assert.That(sql.LastTransferFailed, Does.StartWith("SELECT TOP 1"));
        });
    }

    [TestCase(StoreDialect.Sqlite)]
    [TestCase(StoreDialect.PostgreSql)]
    public void Sqlite_and_PostgreSql_insert_once_and_upsert_rollups(StoreDialect dialect)
    {
        var sql = IngestStatements.For(dialect);
        Assert.Multiple(() =>
        {
            Assert.That(sql.InsertCallEvent, Does.EndWith("VALUES (@p0, @p1, @p2, @p3, @p4, @p5) ON CONFLICT DO NOTHING"));
            Assert.That(sql.InsertRollup, Does.Contain("ON CONFLICT (\"Key\") DO UPDATE SET \"Offered\" = \"CallHourRollups\".\"Offered\" + excluded.\"Offered\""));
            Assert.That(sql.InsertOrderRollup, Does.Contain("ON CONFLICT (\"Key\") DO UPDATE SET \"Registered\" = \"OrderHourRollups\".\"Registered\" + excluded.\"Registered\""));
            Assert.That(sql.InsertQueueHourRollup, Does.Contain("ON CONFLICT (\"Key\") DO UPDATE SET \"Offered\" = \"CallQueueHourRollups\".\"Offered\" + excluded.\"Offered\""));
            Assert.That(sql.AddToRollup, Is.Null);
            Assert.That(sql.AddToQueueHourRollup, Is.Null);
            Assert.That(sql.LastTransferFailed, Does.EndWith("LIMIT 1"));
        });
    }

    [Test]
    public void PostgreSql_locks_a_call_row_and_claims_a_new_call_by_inserting_it()
    {
        var sql = IngestStatements.For(StoreDialect.PostgreSql);
        Assert.That(sql.SelectCall, Does.EndWith("WHERE \"CallId\" = @p0 FOR UPDATE"));
        Assert.That(sql.ClaimCall, Does.StartWith("INSERT INTO \"Calls\"").And.EndWith("ON CONFLICT DO NOTHING"));
    }

    [Test]
    public void PostgreSql_whole_batch_statements_claim_calls_in_order_insert_events_once_and_upsert_rollups()
    {
        Assert.Multiple(() =>
        {
            Assert.That(PostgresBatchStatements.Calls.Names, Is.EqualTo(IngestStatements.CallColumns.Append("CallId")),
                "the write-back's arrays follow the columns ReadCall reads");
            Assert.That(PostgresBatchStatements.ClaimCalls, Does.Contain("WITH ORDINALITY AS v(id, n) ORDER BY v.n"), "rows locked in the given (call-id) order");
            Assert.That(PostgresBatchStatements.ClaimCalls, Does.Contain("ON CONFLICT (\"CallId\") DO UPDATE SET"), "a stored call is locked, not skipped");
            Assert.That(PostgresBatchStatements.InsertCallEvents, Does.StartWith("INSERT INTO \"CallEvents\" (\"EventId\", \"CallId\", \"Sequence\", \"Kind\", \"OccurredAt\", \"Payload\")"));
            Assert.That(PostgresBatchStatements.InsertCallEvents, Does.Contain("unnest(@p0::text[], @p1::text[], @p2::bigint[], @p3::text[], @p4::timestamptz[], @p5::bytea[])"));
            Assert.That(PostgresBatchStatements.InsertCallEvents, Does.EndWith("ON CONFLICT DO NOTHING RETURNING \"EventId\""));
            Assert.That(PostgresBatchStatements.UpsertCallHours, Does.EndWith("\"NotSatisfied\" = \"CallHourRollups\".\"NotSatisfied\" + excluded.\"NotSatisfied\""));
            Assert.That(PostgresBatchStatements.UpsertCallQueueHours, Does.Contain("unnest(@p0::text[], @p1::bigint[], @p2::text[], @p3::integer[]"));
            Assert.That(PostgresBatchStatements.UpsertCallQueueHours, Does.EndWith("\"NotSatisfied\" = \"CallQueueHourRollups\".\"NotSatisfied\" + excluded.\"NotSatisfied\""));
            Assert.That(PostgresBatchStatements.UpsertOrderDays, Does.Contain("ON CONFLICT (\"Key\") DO UPDATE SET \"Registered\" = \"OrderDayRollups\".\"Registered\" + excluded.\"Registered\""));
            Assert.That(PostgresBatchStatements.InsertOrders, Does.Contain("JOIN o ON o.\"CallId\" = a.\"CallId\" AND o.\"Kind\" = a.\"Kind\""));
        });
    }

    [Test]
    public void Deadlocks_from_another_writer_are_retried_other_errors_are_not()
    {
        Assert.Multiple(() =>
        {
            Assert.That(IngestWriter.IsConflict(new Npgsql.PostgresException("deadlock", "ERROR", "ERROR", "40P01")), Is.True);
            Assert.That(IngestWriter.IsConflict(new InvalidOperationException("wrapped", new Npgsql.PostgresException("x", "ERROR", "ERROR", "40001"))), Is.True);
            Assert.That(IngestWriter.IsConflict(new Npgsql.PostgresException("unique", "ERROR", "ERROR", "23505")), Is.False);
            Assert.That(IngestWriter.IsConflict(new TimeoutException()), Is.False);
        });
    }
}
