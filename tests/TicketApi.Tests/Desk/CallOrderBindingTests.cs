using Hotline.Contracts.V1;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Desk;
using Hotline.TicketApi.Ingest;
using Hotline.TicketApi.Tests.Ingest;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.Desk;

/// <summary>
/// Issue 17: the order registered on the desk during the call is the call's order — the ingest opens no second one —
/// and the screen pop's history lists a number's open orders first. Real SQLite, migrated.
/// </summary>
[TestFixture]
public sealed class CallOrderBindingTests
{
    private TestStore _store = null!;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(Local(2026, 11, 24, 11), TimeSpan.Zero));
    private static readonly Actor Agent = new("alice", "agent");

    [SetUp] public void SetUp() => _store = new TestStore();
    [TearDown] public void TearDown() => _store.Dispose();

    private async Task ApplyAsync(IEnumerable<IngestEnvelope> envelopes)
    {
        await using var db = _store.Create();
        await new IngestBatch(db, Rules, new CatalogueOptions(), _time).ApplyAsync([.. envelopes], CancellationToken.None);
    }

    private async Task<long> RegisterOnDeskAsync(string callId, string content, string number = "13800001111")
    {
        await using var db = _store.Create();
        var order = WorkOrder.Register(new NewWorkOrder(WorkOrderKind.Matter, Channel.Phone, content, CallerNumber: number, CallId: callId, OwnerAgentId: "a1"),
            new CatalogueOptions().FindNature("complaint"), Rules, _time.GetUtcNow().UtcDateTime, Agent);
        db.WorkOrders.Add(order);
        await db.SaveChangesAsync();
        return order.Id;
    }

    private static CallScript AnsweredCall(string id) =>
        new CallScript(id, Local(2026, 11, 24, 10)).Offered().Queued().Answered("a1", 5000).Ended("a1");

    [Test]
    public async Task An_order_saved_during_the_call_is_the_calls_only_order_when_its_events_arrive()
    {
        var id = await RegisterOnDeskAsync("c1", "Loud music after midnight");
        await ApplyAsync(AnsweredCall("c1").Envelopes);
        await using var db = _store.Create();
        var orders = await db.WorkOrders.Where(o => o.CallId == "c1").ToListAsync();
        Assert.That(orders, Has.Count.EqualTo(1));
        Assert.That(orders[0].Id, Is.EqualTo(id));
        Assert.That(orders[0].Content, Is.EqualTo("Loud music after midnight"));
    }

    [Test]
    public async Task Without_a_desk_order_the_ingest_still_opens_one_and_the_desk_then_finds_it_by_call_id()
    {
        await ApplyAsync(AnsweredCall("c2").Envelopes);
        await using var db = _store.Create();
        var found = await DeskOrders.FindAsync(db, "c2", CancellationToken.None);
        Assert.That(found, Is.Not.Null);
        found!.Classify(null, "services", "Filled after the call", null, _time.GetUtcNow().UtcDateTime, Agent);
        found.DescribeCaller("Li Lei", null, "12 Lake Road", _time.GetUtcNow().UtcDateTime, Agent);
        await db.SaveChangesAsync();
        await using var check = _store.Create();
        var order = await check.WorkOrders.SingleAsync(o => o.CallId == "c2");
        Assert.That((order.Content, order.CallerName, order.Address), Is.EqualTo(("Filled after the call", "Li Lei", "12 Lake Road")));
        Assert.That(await check.AuditEntries.CountAsync(a => a.WorkOrderId == order.Id && a.Action == "describe"), Is.EqualTo(1));
    }

    [Test]
    public async Task The_history_lists_open_orders_first_excludes_the_current_call_and_marks_a_repeat_caller()
    {
        await ApplyAsync(AnsweredCall("old-call").Envelopes);   // an earlier call from the number, today
        long closedId;
        await using (var db = _store.Create())
        {
            var closed = await db.WorkOrders.SingleAsync(o => o.CallId == "old-call");
            closed.CloseOnTheSpot("Answered on the phone", _time.GetUtcNow().UtcDateTime, Agent);
            await db.SaveChangesAsync();
            closedId = closed.Id;
        }
        _time.Advance(TimeSpan.FromMinutes(5));
        var openId = await RegisterOnDeskAsync("other-call", "Street light out");
        await RegisterOnDeskAsync("current", "This call");
        await RegisterOnDeskAsync("x", "Someone else", number: "13900000000");
        await using var read = _store.Create();
        var history = await CallerHistory.ForNumberAsync(read, "13800001111", "current", _time.GetUtcNow().UtcDateTime, 30, 10, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(history.Orders.Select(o => o.Id), Is.EqualTo(new[] { openId, closedId }), "open first, the current call's order left out");
            Assert.That(history.Orders[0].Open, Is.True);
            Assert.That(history.Calls.Select(c => c.CallId), Is.EqualTo(new[] { "old-call" }));
            Assert.That(history.RepeatCaller, Is.True);
        });
        var stranger = await CallerHistory.ForNumberAsync(read, "13700000000", "", _time.GetUtcNow().UtcDateTime, 30, 10, CancellationToken.None);
        Assert.That((stranger.RepeatCaller, stranger.Orders.Count, stranger.Calls.Count), Is.EqualTo((false, 0, 0)));
    }
}
