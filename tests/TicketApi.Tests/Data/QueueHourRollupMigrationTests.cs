using Hotline.Contracts.V1;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Ingest;
using Hotline.TicketApi.Tests.Ingest;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Time.Testing;
using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.Data;

/// <summary>
/// Issue 22: the QueueHourRollups migration fills the hour × queue rollups of an upgraded database from its hour rollups,
/// row for row what the ingest keeps: calls ingested with the table, the table dropped (migrated back to DayRollups) and
/// migrated up again give the same rows.
/// </summary>
[TestFixture(StoreKind.Sqlite)]
[TestFixture(StoreKind.PostgreSql)]
public sealed class QueueHourRollupMigrationTests(StoreKind kind)
{
    [Test]
    public async Task The_fill_gives_the_rows_the_ingest_kept()
    {
        using var store = new TestStore(kind);
        var time = new FakeTimeProvider(new DateTimeOffset(Local(2026, 11, 25, 12), TimeSpan.Zero));
        // Three agents in two queues over two hours, answered, rated and abandoned.
        var scripts = Enumerable.Range(0, 24).Select(i =>
        {
            var queue = i % 2 == 0 ? "general" : "business";
            var call = new CallScript($"m{i}", Local(2026, 11, 24, 10).AddMinutes(5 * i)).Offered().Queued(queue);
            return i % 5 == 4
                ? call.Abandoned(20000, queue).Ended()
                : call.Answered($"a{i % 3}", 3000 + 1000 * i, queue)
                    .Rated($"a{i % 3}", i % 4 == 0 ? SatisfactionScore.NotSatisfied : SatisfactionScore.BasicallySatisfied, queue).Ended($"a{i % 3}");
        });
        await using (var db = store.Create())
            await new IngestBatch(db, Rules, new CatalogueOptions(), time).ApplyAsync([.. scripts.SelectMany(s => s.Envelopes)], CancellationToken.None);

        static object Row(TicketApi.Calls.CallQueueHourRollup r) => (r.Key, r.Hour, r.Queue, r.Offered, r.Answered, r.AnsweredWithinServiceLevel,
            r.Abandoned, r.AnswerWaitMsTotal, r.Rated, r.Satisfied, r.BasicallySatisfied, r.NotSatisfied);
        List<object> ingested;
        await using (var db = store.Create())
        {
            ingested = [.. (await db.CallQueueHourRollups.AsNoTracking().OrderBy(r => r.Key).ToListAsync()).Select(Row)];
            Assert.That(ingested, Has.Count.InRange(4, 6), "two queues over two or three hours (offers and ratings)");
            Assert.That(await db.CallHourRollups.CountAsync(), Is.GreaterThan(ingested.Count), "several agents per queue and hour");
            await db.GetService<IMigrator>().MigrateAsync("DayRollups");
        }
        await using (var db = store.Create())
        {
            await db.Database.MigrateAsync();
            var filled = (await db.CallQueueHourRollups.AsNoTracking().OrderBy(r => r.Key).ToListAsync()).Select(Row);
            Assert.That(filled, Is.EqualTo(ingested));
        }
    }
}
