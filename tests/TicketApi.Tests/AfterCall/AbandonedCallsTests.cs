using Hotline.Contracts.V1;
using Hotline.TicketApi.AfterCall;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Ingest;
using Hotline.TicketApi.Tests.Ingest;
using Hotline.TicketApi.WorkOrders;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.AfterCall;

/// <summary>GET /api/abandoned and the return-call action (issue 10), against real SQLite and a recording call placer.</summary>
[TestFixture(StoreKind.Sqlite)]
[TestFixture(StoreKind.PostgreSql)]
public sealed class AbandonedCallsTests(StoreKind kind)
{
    private TestStore _store = null!;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(Local(2026, 11, 24, 12), TimeSpan.Zero));

    [SetUp] public void SetUp() => _store = new TestStore(kind);
    [TearDown] public void TearDown() => _store.Dispose();

    private sealed class RecordingPlacer(PlacedCall answer) : ICallPlacer
    {
        public List<(string Agent, string Number, string WorkOrder)> Dials { get; } = [];

        public Task<PlacedCall> DialAsync(string agentId, string number, string workOrderReference, CancellationToken ct)
        {
            Dials.Add((agentId, number, workOrderReference));
            return Task.FromResult(answer);
        }
    }

    private async Task ApplyAsync(IEnumerable<IngestEnvelope> envelopes)
    {
        await using var db = _store.Create();
        await new IngestBatch(db, Rules, new CatalogueOptions(), _time).ApplyAsync([.. envelopes], CancellationToken.None);
    }

    private async Task<PageOf> ListAsync(bool? toCallBack = null)
    {
        await using var db = _store.Create();
        var result = await AfterCallApi.ListAsync(db, Fixtures.Calendar, _time, CancellationToken.None, toCallBack: toCallBack);
        return new PageOf(((Ok<TicketApi.Api.PageOf<AbandonedCallView>>)result.Result).Value!.Items);
    }

    private sealed record PageOf(IReadOnlyList<AbandonedCallView> Items);

    [Test]
    public async Task An_abandoned_call_is_listed_to_call_back_and_leaves_that_list_once_returned()
    {
        await ApplyAsync(new CallScript("c1", Local(2026, 11, 24, 10, 15)).Offered("13800001111").Queued("general").Abandoned(42000).Ended().Envelopes);
        await ApplyAsync(new CallScript("c2", Local(2026, 11, 24, 10, 20)).Offered().Queued().Answered("a1", 3000).Ended("a1").Envelopes);

        var listed = (await ListAsync(toCallBack: true)).Items.Single();
        Assert.Multiple(() =>
        {
            Assert.That((listed.CallId, listed.CallerNumber, listed.Queue, listed.WaitMs, listed.Where), Is.EqualTo(("c1", "13800001111", "general", 42000, "queue")));
            Assert.That(listed.LocalTimeOfDay, Is.EqualTo("10:15:43"), "Beijing time: offered 10:15:00, queued 1 s later, 42 s wait");
            Assert.That((listed.CalledBack, listed.CallbackAttempts, listed.ToCallBack), Is.EqualTo((false, 0, true)));
            Assert.That(listed.WorkOrderNumber, Does.StartWith("WO"));
        });

        var placer = new RecordingPlacer(new PlacedCall(true, "c-out-1", ""));
        await using (var db = _store.Create())
        {
            var result = await AfterCallApi.ReturnAsync("c1", new PlaceCallRequest("a1"), db, Fixtures.Calendar, placer, CancellationToken.None);
            var accepted = (Accepted<PlacedCallView>)result.Result;
            Assert.That(accepted.Value!.CallId, Is.EqualTo("c-out-1"));
        }
        Assert.That(placer.Dials, Is.EqualTo(new[] { ("a1", "13800001111", listed.WorkOrderNumber!) }));
        Assert.That((await ListAsync(toCallBack: true)).Items, Has.Count.EqualTo(1), "still to call back until the call is answered");

        await ApplyAsync(new OutboundScript("c-out-1", Local(2026, 11, 24, 11)).Offered("13800001111", listed.WorkOrderNumber!).Answered().Rated(SatisfactionScore.Satisfied).Ended().Envelopes);

        Assert.That((await ListAsync(toCallBack: true)).Items, Is.Empty);
        var returned = (await ListAsync()).Items.Single();
        Assert.That((returned.CalledBack, returned.CalledBackAt, returned.CallbackCallId, returned.ToCallBack),
            Is.EqualTo((true, (DateTime?)Local(2026, 11, 24, 11, 0).AddSeconds(8), "c-out-1", false)));
        await using var check = _store.Create();
        var order = await check.WorkOrders.SingleAsync(o => o.CallId == "c1");
        Assert.That((order.Status, order.Resolution), Is.EqualTo((WorkOrderStatus.Closed, "Called back by agent a1 (call c-out-1); rating: Satisfied")));

        await using var again = _store.Create();
        var second = await AfterCallApi.ReturnAsync("c1", new PlaceCallRequest("a1"), again, Fixtures.Calendar, placer, CancellationToken.None);
        Assert.That(((ProblemHttpResult)second.Result).StatusCode, Is.EqualTo(409), "already returned");
        Assert.That(placer.Dials, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_refusal_by_the_engine_or_an_unreachable_engine_is_reported_and_changes_nothing()
    {
        await ApplyAsync(new CallScript("c1", Local(2026, 11, 24, 10)).Offered().Queued().Abandoned(5000).Ended().Envelopes);
        await using var db = _store.Create();
        var refused = await AfterCallApi.ReturnAsync("c1", new PlaceCallRequest("a1"), db, Fixtures.Calendar,
            new RecordingPlacer(new PlacedCall(false, "", "Agent a1 is Talking, not ready")), CancellationToken.None);
        var down = await AfterCallApi.ReturnAsync("c1", new PlaceCallRequest("a1"), db, Fixtures.Calendar,
            new RecordingPlacer(new PlacedCall(false, "", "unreachable", EngineUnavailable: true)), CancellationToken.None);
        var missing = await AfterCallApi.ReturnAsync("nope", new PlaceCallRequest("a1"), db, Fixtures.Calendar,
            new RecordingPlacer(new PlacedCall(true, "x", "")), CancellationToken.None);
        var noAgent = await AfterCallApi.ReturnAsync("c1", new PlaceCallRequest(""), db, Fixtures.Calendar,
            new RecordingPlacer(new PlacedCall(true, "x", "")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(((ProblemHttpResult)refused.Result).ProblemDetails.Detail, Does.Contain("not ready"));
            Assert.That(((ProblemHttpResult)refused.Result).StatusCode, Is.EqualTo(409));
            Assert.That(((ProblemHttpResult)down.Result).StatusCode, Is.EqualTo(503));
            Assert.That(((ProblemHttpResult)missing.Result).StatusCode, Is.EqualTo(404));
            Assert.That(noAgent.Result, Is.TypeOf<ValidationProblem>());
        });
        Assert.That((await ListAsync(toCallBack: true)).Items.Single().CallbackAttempts, Is.Zero);
    }
}
