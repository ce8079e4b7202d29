using Hotline.Contracts.V1;
using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Ingest;
using Hotline.TicketApi.Metrics;
using Hotline.TicketApi.Tests.Ingest;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.AfterCall;

/// <summary>Outbound calls for a work order drive its callback step; ratings feed the satisfaction indicator (issue 10).</summary>
[TestFixture(StoreKind.Sqlite)]
[TestFixture(StoreKind.PostgreSql)]
public sealed class CallbackCallTests(StoreKind kind)
{
    private static readonly Actor Agent = new("a1", Roles.Agent);
    private static readonly Actor Roads = new("roads-desk", Roles.Department, "roads");
    private TestStore _store = null!;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(Local(2026, 11, 26, 11), TimeSpan.Zero));

    [SetUp] public void SetUp() => _store = new TestStore(kind);
    [TearDown] public void TearDown() => _store.Dispose();

    private async Task ApplyAsync(IEnumerable<IngestEnvelope> envelopes)
    {
        await using var db = _store.Create();
        var acks = await new IngestBatch(db, Rules, new CatalogueOptions(), _time).ApplyAsync([.. envelopes], CancellationToken.None);
        Assert.That(acks.All(a => a.Accepted), Is.True, string.Join("; ", acks.Select(a => a.Error)));
    }

    /// <summary>A complaint dispatched, replied to on 24 Nov and reviewed: its callback is due by 27 Nov.</summary>
    private async Task<WorkOrder> ReviewedOrderAsync()
    {
        var catalogue = new CatalogueOptions();
        var order = WorkOrder.Register(new NewWorkOrder(WorkOrderKind.Matter, Channel.Phone, "Pothole", CallerNumber: "13800001111"),
            catalogue.FindNature("complaint"), Rules, Local(2026, 11, 23, 10), Agent);
        order.Dispatch("roads", catalogue.FindNature("complaint")!, Rules, Local(2026, 11, 23, 11), Agent);
        order.ReplyWith("Filled.", Local(2026, 11, 24, 9), Roads);
        order.Review(null, Local(2026, 11, 24, 10), Agent);
        await using var db = _store.Create();
        db.WorkOrders.Add(order);
        await db.SaveChangesAsync();
        return order;
    }

    [Test]
    public async Task A_rated_callback_call_for_a_reviewed_order_takes_the_callback_step_on_time()
    {
        var order = await ReviewedOrderAsync();
        await ApplyAsync(new OutboundScript("o1", Local(2026, 11, 26, 10)).Offered("13800001111", order.Number)
            .Answered().Rated(SatisfactionScore.BasicallySatisfied).Ended().Envelopes);

        await using var db = _store.Create();
        var saved = await db.WorkOrders.Include(o => o.Audit).SingleAsync(o => o.Id == order.Id);
        Assert.Multiple(() =>
        {
            Assert.That(saved.Status, Is.EqualTo(WorkOrderStatus.CalledBack));
            Assert.That(saved.CallbackSatisfaction, Is.EqualTo(Satisfaction.BasicallySatisfied));
            Assert.That(saved.CalledBackOnTime, Is.True, "within 3 days of the reply");
            Assert.That(saved.Audit[^1].Action, Is.EqualTo("callback"));
            Assert.That(saved.Audit[^1].Detail, Does.Contain("call o1 by agent a1"));
            Assert.That(saved.Audit[^1].ActorId, Is.EqualTo("a1"));
        });
        var report = await new MetricsQuery(db, Fixtures.Calendar, _time).RunAsync(Local(2026, 11, 1), Local(2026, 12, 1), MetricsGrouping.None, CancellationToken.None);
        Assert.That((report.Total.CalledBack, report.Total.CalledBackOnTime, report.Total.TimelyCallbackRate), Is.EqualTo((1L, 1L, (double?)1.0)));
    }

    [Test]
    public async Task An_unrated_or_unreached_callback_call_is_only_noted_on_the_order()
    {
        var order = await ReviewedOrderAsync();
        await ApplyAsync(new OutboundScript("o1", Local(2026, 11, 26, 10)).Offered("13800001111", order.Number).Ended("busy").Envelopes);
        await ApplyAsync(new OutboundScript("o2", Local(2026, 11, 26, 11)).Offered("13800001111", order.Id.ToString()).Answered().Ended().Envelopes);

        await using var db = _store.Create();
        var saved = await db.WorkOrders.Include(o => o.Audit).SingleAsync(o => o.Id == order.Id);
        Assert.That(saved.Status, Is.EqualTo(WorkOrderStatus.Reviewed), "the rating is still to be taken");
        Assert.That(saved.Audit.TakeLast(2).Select(a => (a.Action, a.Detail)), Is.EqualTo(new[]
        {
            ("callback-call", "call o1 by agent a1: not reached"),
            ("callback-call", "call o2 by agent a1: answered; rating: not rated"),
        }));
    }

    [Test]
    public async Task A_callback_call_for_an_unknown_order_is_kept_as_a_call_and_changes_no_order()
    {
        var order = await ReviewedOrderAsync();
        await ApplyAsync(new OutboundScript("o1", Local(2026, 11, 26, 10)).Offered("13800001111", "WO99999999").Answered().Rated(SatisfactionScore.Satisfied).Ended().Envelopes);
        await using var db = _store.Create();
        Assert.That((await db.WorkOrders.SingleAsync()).Version, Is.EqualTo(order.Version));
        Assert.That((await db.Calls.SingleAsync()).ForWorkOrderId, Is.EqualTo("WO99999999"));
    }

    [Test]
    public async Task Satisfaction_counts_inbound_and_outbound_ratings_per_agent_and_month()
    {
        await ApplyAsync(new CallScript("i1", Local(2026, 11, 24, 10)).Offered().Queued().Answered("a1", 5000).Rated("a1", SatisfactionScore.Satisfied).Ended("a1").Envelopes);
        await ApplyAsync(new CallScript("i2", Local(2026, 11, 24, 11)).Offered().Queued().Answered("a2", 5000).Rated("a2", SatisfactionScore.NotRated).Ended("a2").Envelopes);
        await ApplyAsync(new OutboundScript("o1", Local(2026, 11, 25, 10)).Offered("13800001111", "").Answered().Rated(SatisfactionScore.NotSatisfied).Ended().Envelopes);

        await using var db = _store.Create();
        var query = new MetricsQuery(db, Fixtures.Calendar, _time);
        var byAgent = await query.RunAsync(Local(2026, 11, 1), Local(2026, 12, 1), MetricsGrouping.Agent, CancellationToken.None);
        var a1 = byAgent.Groups.Single(g => g.Key == "a1");
        Assert.That((a1.Rated, a1.Satisfied, a1.Satisfaction), Is.EqualTo((2L, 1L, (double?)0.5)), "inbound satisfied + outbound not satisfied");
        Assert.That(byAgent.Groups.SingleOrDefault(g => g.Key == "a2")?.Rated ?? 0, Is.Zero, "not rated is not counted");
        var byMonth = await query.RunAsync(Local(2026, 11, 1), Local(2026, 12, 1), MetricsGrouping.Month, CancellationToken.None);
        Assert.That(byMonth.Groups.Single().Satisfaction, Is.EqualTo(0.5));
        var byQueue = await query.RunAsync(Local(2026, 11, 1), Local(2026, 12, 1), MetricsGrouping.Queue, CancellationToken.None);
        Assert.That(byQueue.Groups.Single(g => g.Key == "outbound").Satisfaction, Is.EqualTo(0.0));
    }
}
