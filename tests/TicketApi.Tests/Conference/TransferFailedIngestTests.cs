using Google.Protobuf.WellKnownTypes;
using Hotline.Contracts.V1;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Ingest;
using Hotline.TicketApi.Tests.Ingest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.Conference;

/// <summary>Issue 8: a TransferFailed makes the call's work order say it goes to that department by dispatch.</summary>
[TestFixture(StoreKind.Sqlite)]
[TestFixture(StoreKind.PostgreSql)]
public sealed class TransferFailedIngestTests(StoreKind kind)
{
    private TestStore _store = null!;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(Local(2026, 11, 24, 11), TimeSpan.Zero));

    [SetUp] public void SetUp() => _store = new TestStore(kind);
    [TearDown] public void TearDown() => _store.Dispose();

    private async Task ApplyAsync(IEnumerable<CallEvent> events)
    {
        await using var db = _store.Create();
        var acks = await new IngestBatch(db, Rules, new CatalogueOptions(), _time)
            .ApplyAsync([.. events.Select(e => new IngestEnvelope { Call = e })], CancellationToken.None);
        Assert.That(acks.All(a => a.Accepted), Is.True);
    }

    /// <summary>Offered, queued, answered, [TransferFailed], ended — numbered gap-free.</summary>
    private static List<CallEvent> Call(string id, bool transferFailed)
    {
        var events = new CallScript(id, Local(2026, 11, 24, 10)).Offered().Queued().Answered("a1", 5000).Ended("a1").Events.ToList();
        if (transferFailed)
        {
            var ended = events[^1];
            events.Insert(events.Count - 1, new CallEvent
            {
                EventId = Guid.NewGuid().ToString(), CallId = id, Sequence = ended.Sequence, NodeId = "acd-1",
                OccurredAt = Timestamp.FromDateTime(ended.OccurredAt.ToDateTime().AddSeconds(-1)),
                TransferFailed = new TransferFailed { DepartmentId = "water", Attempts = 2, Reason = "busy" },
            });
            ended.Sequence++;
        }
        return events;
    }

    [Test]
    public async Task The_matter_order_names_the_department_to_dispatch_to_even_when_the_event_came_in_an_earlier_batch()
    {
        var failed = Call("c-failed", transferFailed: true);
        await ApplyAsync(failed.Take(4)); // ...answered, TransferFailed
        await ApplyAsync(failed.Skip(4)); // CallEnded later
        await ApplyAsync(Call("c-normal", transferFailed: false));

        await using var db = _store.Create();
        var orders = await db.WorkOrders.OrderBy(o => o.CallId).ToListAsync();
        Assert.That(orders.Select(o => o.CallId), Is.EqualTo(new[] { "c-failed", "c-normal" }));
        Assert.Multiple(() =>
        {
            Assert.That(orders[0].Content, Is.EqualTo("Dispatch to department water: transfer failed after 2 attempt(s) (busy)."));
            Assert.That(orders[0].OwnerAgentId, Is.EqualTo("a1"), "first responder still owns it");
            Assert.That(orders[1].Content, Is.Empty);
        });
    }
}
