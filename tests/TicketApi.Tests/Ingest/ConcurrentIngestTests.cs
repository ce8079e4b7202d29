using Hotline.Contracts.V1;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Ingest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.Ingest;

/// <summary>
/// Several writers (as several TicketApi instances would) applying overlapping batches at the same moment on one real
/// PostgreSQL: PostgreSQL's whole-batch statements (PostgresBatchStatements) claim or lock a batch's calls in one order,
/// insert each event id once and add to the shared rollup rows by upsert, so every event is applied exactly once,
/// whatever the split and the order.
/// </summary>
[TestFixture]
public sealed class ConcurrentIngestTests
{
    private TestStore _store = null!;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(Local(2026, 11, 24, 11), TimeSpan.Zero));

    [SetUp] public void SetUp() => _store = new TestStore(StoreKind.PostgreSql);
    [TearDown] public void TearDown() => _store.Dispose();

    [Test]
    public async Task Four_writers_sharing_every_event_in_different_splits_apply_each_once()
    {
        const int calls = 60;
        var scripts = Enumerable.Range(0, calls).Select(i =>
            new CallScript($"c{i:D3}", Local(2026, 11, 24, 10).AddMinutes(i)).Offered().Ivr("complaint").Queued()
                .Answered($"a{i % 7}", 8000).Rated($"a{i % 7}", SatisfactionScore.Satisfied).Ended($"a{i % 7}")).ToList();
        var all = scripts.SelectMany(s => s.Envelopes).ToList();

        // Each writer sends every event, shuffled its own way and cut into batches of its own size, so one call's
        // events are split over several writers' batches in flight at once (and repeated by every writer).
        var writers = Enumerable.Range(0, 4).Select(w =>
        {
            var shuffled = all.OrderBy(_ => Random.Shared.Next()).ToList();
            return shuffled.Chunk(40 + 25 * w).ToList();
        }).ToList();
        var acks = await Task.WhenAll(writers.Select(batches => Task.Run(async () =>
        {
            var acked = new List<Ack>();
            foreach (var batch in batches) acked.AddRange(await ApplyWithRetryAsync(batch));
            return acked;
        })));

        await using var db = _store.Create();
        var hours = await db.CallHourRollups.ToListAsync();
        var days = await db.CallDayRollups.ToListAsync();
        var queueHours = await db.CallQueueHourRollups.ToListAsync();
        var orderHours = await db.OrderHourRollups.Where(r => r.Dimension == "all").ToListAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(acks.All(a => a.Count == all.Count && a.All(x => x.Accepted)), Is.True, "every writer's every event acknowledged");
            Assert.That(await db.CallEvents.CountAsync(), Is.EqualTo(all.Count));
            Assert.That(await db.Calls.CountAsync(c => c.Complete && c.EventCount == 6), Is.EqualTo(calls), "each call's 6 events counted once");
            Assert.That(await db.WorkOrders.CountAsync(), Is.EqualTo(calls), "one order per call");
            Assert.That(await db.AuditEntries.CountAsync(), Is.EqualTo(calls));
            Assert.That((hours.Sum(r => r.Offered), hours.Sum(r => r.Answered), hours.Sum(r => r.Rated)), Is.EqualTo((calls, calls, calls)));
            Assert.That((days.Sum(r => r.Offered), days.Sum(r => r.Answered), days.Sum(r => r.Rated)), Is.EqualTo((calls, calls, calls)));
            Assert.That((queueHours.Sum(r => r.Offered), queueHours.Sum(r => r.Answered), queueHours.Sum(r => r.Rated)), Is.EqualTo((calls, calls, calls)));
            Assert.That(orderHours.Sum(r => r.Registered), Is.EqualTo(calls));
        });
    }

    /// <summary>As <c>IngestWriter</c>: a batch that met another writer's deadlock rolled back and is applied again.</summary>
    private async Task<Ack[]> ApplyWithRetryAsync(IngestEnvelope[] batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var db = _store.Create();
                return await new IngestBatch(db, Rules, new CatalogueOptions(), _time).ApplyAsync(batch, CancellationToken.None);
            }
            catch (Exception ex) when (attempt < 3 && IngestWriter.IsConflict(ex))
            {
            }
        }
    }
}
