using Hotline.Contracts.V1;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Ingest;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.Ingest;

/// <summary>Ingest against real SQLite (migrated): idempotent by event id, tolerant of reordering, dead-letters bad events.</summary>
[TestFixture(StoreKind.Sqlite)]
[TestFixture(StoreKind.PostgreSql)]
public sealed class IngestBatchTests(StoreKind kind)
{
    private TestStore _store = null!;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(Local(2026, 11, 24, 11), TimeSpan.Zero));

    [SetUp] public void SetUp() => _store = new TestStore(kind);
    [TearDown] public void TearDown() => _store.Dispose();

    private async Task<Ack[]> ApplyAsync(IEnumerable<IngestEnvelope> envelopes)
    {
        await using var db = _store.Create();
        return await new IngestBatch(db, Rules, new CatalogueOptions(), _time).ApplyAsync([.. envelopes], CancellationToken.None);
    }

    private static CallScript AnsweredCall(string id, string agent = "a1", int waitMs = 8000) =>
        new CallScript(id, Local(2026, 11, 24, 10)).Offered().Ivr("complaint").Queued().Answered(agent, waitMs)
            .Rated(agent, SatisfactionScore.Satisfied).Ended(agent);

    [Test]
    public async Task An_event_delivered_twice_is_applied_once_and_acknowledged_both_times()
    {
        var call = AnsweredCall("c1");
        var first = await ApplyAsync(call.Envelopes);
        var again = await ApplyAsync(call.Envelopes);
        await using var db = _store.Create();
        Assert.Multiple(async () =>
        {
            Assert.That(first.Concat(again).All(a => a.Accepted), Is.True);
            Assert.That(again.Select(a => a.EventId), Is.EqualTo(call.Events.Select(e => e.EventId)));
            Assert.That(await db.CallEvents.CountAsync(), Is.EqualTo(6));
            Assert.That(await db.WorkOrders.CountAsync(), Is.EqualTo(1));
            var rollup = await db.CallHourRollups.SingleAsync();
            Assert.That((rollup.Offered, rollup.Answered, rollup.Rated), Is.EqualTo((1, 1, 1)));
            // Issue 22: the hour × queue row too, once.
            var queueHour = await db.CallQueueHourRollups.SingleAsync();
            Assert.That((queueHour.Key, queueHour.Offered, queueHour.Answered, queueHour.Rated, queueHour.AnswerWaitMsTotal),
                Is.EqualTo(($"{rollup.Hour}|{rollup.Queue}", 1, 1, 1, 8000L)));
        });
    }

    [Test]
    public async Task A_duplicate_inside_one_batch_is_applied_once()
    {
        var call = AnsweredCall("c1");
        var envelopes = call.Envelopes.ToList();
        envelopes.Add(envelopes[4]);
        var acks = await ApplyAsync(envelopes);
        await using var db = _store.Create();
        Assert.That(acks, Has.Length.EqualTo(7));
        Assert.That(await db.CallEvents.CountAsync(), Is.EqualTo(6));
        Assert.That((await db.CallHourRollups.SingleAsync()).Answered, Is.EqualTo(1));
        Assert.That((await db.CallQueueHourRollups.SingleAsync()).Answered, Is.EqualTo(1));
    }

    [Test]
    public async Task Events_out_of_order_across_batches_give_the_same_call_and_one_order_once_complete()
    {
        var call = AnsweredCall("c1", "a7", 20000);
        var e = call.Envelopes.ToList();
        await ApplyAsync([e[5], e[4], e[2]]);   // ended, rated, queued
        await using (var db = _store.Create())
        {
            Assert.That((await db.Calls.SingleAsync()).Complete, Is.False);
            Assert.That(await db.WorkOrders.CountAsync(), Is.Zero, "no order before every event up to CallEnded is in");
            Assert.That((await db.CallHourRollups.SingleAsync()).Offered, Is.Zero);
        }
        await ApplyAsync([e[3], e[0], e[1]]);
        await using (var db = _store.Create())
        {
            var record = await db.Calls.SingleAsync();
            var order = await db.WorkOrders.SingleAsync();
            var rollup = await db.CallHourRollups.SingleAsync(r => r.Offered > 0);
            Assert.Multiple(() =>
            {
                Assert.That(record.Complete, Is.True);
                Assert.That(record.CallerNumber, Is.EqualTo("13800001111"));
                Assert.That(record.AgentId, Is.EqualTo("a7"));
                Assert.That(order.OwnerAgentId, Is.EqualTo("a7"), "first responder owns the order");
                Assert.That(order.Nature, Is.EqualTo("complaint"));
                Assert.That(order.CallId, Is.EqualTo("c1"));
                Assert.That((rollup.Offered, rollup.Answered, rollup.AnsweredWithinServiceLevel), Is.EqualTo((1, 1, 0)));
            });
        }
    }

    [Test]
    public async Task Abandoned_calls_and_callback_requests_become_callback_tasks()
    {
        var abandoned = new CallScript("c2", Local(2026, 11, 24, 10)).Offered().Queued().Abandoned(30000).Ended();
        var callback = new CallScript("c3", Local(2026, 11, 24, 10)).Offered().Queued().CallbackRequested("13900002222").Abandoned(5000).Ended();
        await ApplyAsync(abandoned.Envelopes.Concat(callback.Envelopes));
        await using var db = _store.Create();
        var orders = await db.WorkOrders.OrderBy(o => o.CallId).ToListAsync();
        Assert.That(orders.Select(o => (o.CallId, o.Kind)), Is.EqualTo(new[] { ("c2", WorkOrderKind.ReturnCall), ("c3", WorkOrderKind.CallbackRequest) }));
        Assert.That(orders[1].CallerNumber, Is.EqualTo("13900002222"));
        Assert.That((await db.CallHourRollups.SingleAsync()).Abandoned, Is.EqualTo(2));
    }

    [Test]
    public async Task A_malformed_event_is_refused_with_a_reason_kept_aside_and_changes_nothing_else()
    {
        var good = AnsweredCall("c1").Envelopes.First();
        var noCall = good.Clone();
        noCall.Call.EventId = "bad-1";
        noCall.Call.CallId = "";
        var noPayload = new IngestEnvelope { Call = new CallEvent { EventId = "bad-2", CallId = "c9", Sequence = 1, OccurredAt = good.Call.OccurredAt } };
        var acks = await ApplyAsync([noCall, noPayload, new IngestEnvelope()]);
        await using var db = _store.Create();
        Assert.Multiple(async () =>
        {
            Assert.That(acks.Select(a => a.Accepted), Is.All.False);
            Assert.That(acks[0].Error, Does.Contain("call_id"));
            Assert.That(acks[1].Error, Does.Contain("payload"));
            Assert.That(acks[2].Error, Does.Contain("no event"));
            Assert.That(await db.RejectedEvents.CountAsync(), Is.EqualTo(3));
            Assert.That(await db.CallEvents.CountAsync(), Is.Zero);
            Assert.That(await db.Calls.CountAsync(), Is.Zero);
        });
    }

    [Test]
    public async Task Agent_events_are_stored_once()
    {
        var e = new AgentEvent
        {
            EventId = Guid.NewGuid().ToString(), AgentId = "a1", Sequence = 1, Status = AgentStatus.Ready,
            PreviousStatus = AgentStatus.SignedOut, OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(Local(2026, 11, 24, 9)),
        };
        await ApplyAsync([new IngestEnvelope { Agent = e }, new IngestEnvelope { Agent = e }]);
        var acks = await ApplyAsync([new IngestEnvelope { Agent = e }]);
        await using var db = _store.Create();
        Assert.That(acks[0].Accepted, Is.True);
        Assert.That(await db.AgentEvents.CountAsync(), Is.EqualTo(1));
    }
}
