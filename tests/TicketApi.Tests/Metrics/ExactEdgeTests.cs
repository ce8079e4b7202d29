using System.Text.Json;
using Hotline.Contracts.V1;
using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Ingest;
using Hotline.TicketApi.Metrics;
using Hotline.TicketApi.Tests.Ingest;
using Hotline.TicketApi.WorkOrders;
using Microsoft.Extensions.Time.Testing;
using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.Metrics;

/// <summary>
/// An hour cut by a boundary is counted in the database from its calls and orders (<see cref="ExactEdges"/>), a whole hour
/// from its rollups: the two give the same figures for the same calls and orders, on every indicator and grouping,
/// on both providers (issues 22, 23).
/// </summary>
[TestFixture(StoreKind.Sqlite)]
[TestFixture(StoreKind.PostgreSql)]
public sealed class ExactEdgeTests(StoreKind kind)
{
    private static readonly CatalogueOptions Catalogue = new();
    /// <summary>The hour under test (UTC): 14:00–15:00 in Asia/Shanghai. Nothing happens in its first second.</summary>
    private static readonly DateTime Hour = new(2026, 11, 10, 6, 0, 0, DateTimeKind.Utc);
    private TestStore _store = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public async Task SetUp()
    {
        _store = new TestStore(kind);
        _time = new FakeTimeProvider(new DateTimeOffset(Hour));
        // Calls: answered inside and outside the service level, abandoned, rated satisfied / basically / not; one offered
        // in the hour before and queued inside this one (counted here), one offered inside and rated after the hour.
        var scripts = new List<CallScript>
        {
            new CallScript("in-sl", Hour.AddMinutes(5)).Offered().Queued("general").Answered("a1", 4000).Rated("a1", SatisfactionScore.Satisfied).Ended("a1"),
            new CallScript("late", Hour.AddMinutes(12)).Offered().Queued("business").Answered("a2", 40000, "business")
                .Rated("a2", SatisfactionScore.NotSatisfied, "business").Ended("a2"),
            new CallScript("gone", Hour.AddMinutes(20)).Offered().Queued("general").Abandoned(30000).Ended(),
            new CallScript("basic", Hour.AddMinutes(33)).Offered().Queued("business").Answered("a1", 9000, "business")
                .Rated("a1", SatisfactionScore.BasicallySatisfied, "business").Ended("a1"),
            new CallScript("ivr", Hour.AddSeconds(-10)).Offered().Ivr("complaint").Ivr("complaint").Ivr("complaint").Queued("general")
                .Answered("a2", 3000).Ended("a2"),
            new CallScript("rated-after", Hour.AddMinutes(59)).Offered().Queued("general").Answered("a1", 2000).Rated("a1", SatisfactionScore.Satisfied).Ended("a1"),
        };
        _time.SetUtcNow(new DateTimeOffset(Hour.AddHours(2)));
        await using var db = _store.Create();
        await new IngestBatch(db, Rules, Catalogue, _time).ApplyAsync([.. scripts.SelectMany(c => c.Envelopes)], CancellationToken.None);

        // Orders of the hour through every step the indicators count.
        var complaint = Catalogue.FindNature("complaint")!;
        var hotline = new Actor("a1", Roles.Agent);
        WorkOrder Register(int minute, Channel channel = Channel.Phone, bool aboutHotline = false, string? category = null)
        {
            var at = Hour.AddMinutes(minute);
            var order = WorkOrder.Register(new NewWorkOrder(WorkOrderKind.Matter, channel, "a blocked drain", Category: category,
                OwnerAgentId: minute % 2 == 0 ? "a1" : "a2", AboutHotline: aboutHotline), complaint, Rules, at, hotline);
            db.WorkOrders.Add(order);
            return order;
        }
        var overdue = Register(2, category: "roads");                                   // never dispatched: due but not done
        var flagged = Register(4, category: "roads");                                   // and flagged overdue by the sweep
        var replied = Register(7, category: "water");
        var reworked = Register(9, category: "water");
        var calledBack = Register(15, Channel.Sms, category: "noise");
        var unhappy = Register(25, aboutHotline: true, category: "noise");
        var returned = Register(41, category: "roads");
        var dispatchedLate = Register(50, category: "roads");
        await db.SaveChangesAsync();
        var roads = new Actor("r", Roles.Department, "roads");
        var water = new Actor("w", Roles.Department, "water");
        replied.Dispatch("water", complaint, Rules, Hour.AddMinutes(8), hotline);
        replied.ReplyWith("cleared", Hour.AddDays(1), water);
        reworked.Dispatch("water", complaint, Rules, Hour.AddMinutes(10), hotline);
        reworked.ReplyWith("cleared", Hour.AddDays(1), water);
        reworked.Rework("not cleared", Hour.AddDays(1).AddHours(1), hotline);
        calledBack.Dispatch("roads", complaint, Rules, Hour.AddMinutes(16), hotline);
        calledBack.ReplyWith("fixed", Hour.AddHours(3), roads);
        calledBack.Review(null, Hour.AddHours(4), hotline);
        calledBack.Callback(Satisfaction.Satisfied, null, Rules, Hour.AddHours(5), hotline);
        unhappy.Dispatch("roads", complaint, Rules, Hour.AddMinutes(26), hotline);
        unhappy.ReplyWith("fixed", Hour.AddDays(20), roads);
        unhappy.Review(null, Hour.AddDays(20), hotline);
        unhappy.Callback(Satisfaction.NotSatisfied, null, Rules, Hour.AddDays(25), hotline);
        returned.Dispatch("roads", complaint, Rules, Hour.AddMinutes(42), hotline);
        returned.Return("not ours", Hour.AddMinutes(55), roads);
        dispatchedLate.Dispatch("water", complaint, Rules, Hour.AddDays(3), hotline);
        Assert.That(flagged.FlagOverdue(Hour.AddDays(3)), Is.True);
        await db.SaveChangesAsync();
        _ = overdue;
        _time.SetUtcNow(new DateTimeOffset(Hour.AddDays(30)));
    }

    [TearDown] public void TearDown() => _store.Dispose();

    private async Task<MetricsReport> RunAsync(DateTime from, DateTime to, MetricsGrouping groupBy)
    {
        await using var db = _store.Create();
        return await new MetricsQuery(db, Fixtures.Calendar, _time).RunAsync(from, to, groupBy, CancellationToken.None);
    }

    [Test]
    public async Task An_hour_counted_exactly_gives_the_figures_of_its_rollups_in_every_grouping()
    {
        foreach (var groupBy in Enum.GetValues<MetricsGrouping>())
        {
            var whole = await RunAsync(Hour, Hour.AddHours(1), groupBy);
            var cut = await RunAsync(Hour.AddSeconds(1), Hour.AddHours(1), groupBy);
            Assert.That(JsonSerializer.Serialize(new { cut.Total, cut.Groups }), Is.EqualTo(JsonSerializer.Serialize(new { whole.Total, whole.Groups })),
                $"groupBy={groupBy}");
        }

        // Not vacuous: every indicator has something to count, and the cut period is read exactly.
        var total = (await RunAsync(Hour.AddSeconds(1), Hour.AddHours(1), MetricsGrouping.None)).Total;
        var counted = JsonSerializer.SerializeToElement(total).EnumerateObject()
            .Where(p => p.Value.ValueKind == JsonValueKind.Number && p.Value.GetDouble() == 0).Select(p => p.Name);
        Assert.That(counted, Is.EquivalentTo(new[] { "QualityScored", "QualityPointsTotal" }), "indicators left at zero");
        var edges = PeriodEdges.Of(Hour.AddSeconds(1), Hour.AddHours(1), [], MetricsGrouping.None, Fixtures.Calendar);
        Assert.That(edges.CutHours, Is.EquivalentTo(new[] { PeriodEdges.HourOf(Hour) }));
    }

    [Test]
    public async Task A_cut_hour_counts_only_its_pieces_inside_the_period_and_outside_the_exclusion_windows()
    {
        await using (var db = _store.Create())
        {
            db.ExclusionWindows.Add(new ExclusionWindow { From = Hour.AddMinutes(10), To = Hour.AddMinutes(30), Reason = "switch failure" });
            await db.SaveChangesAsync();
        }
        // 00:03–00:45 less 00:10–00:30: the calls queued at 00:05 and 00:33 (not 00:12, 00:20, nor the IVR call queued at
        // 00:00:06), the orders registered at minutes 4, 7, 9 and 41 and the two of the calls that ended at 00:06 and 00:34.
        var report = await RunAsync(Hour.AddMinutes(3), Hour.AddMinutes(45), MetricsGrouping.None);
        var edges = PeriodEdges.Of(Hour.AddMinutes(3), Hour.AddMinutes(45), [new ExclusionWindow { From = Hour.AddMinutes(10), To = Hour.AddMinutes(30), Reason = "x" }],
            MetricsGrouping.None, Fixtures.Calendar);
        Assert.That(ExactEdges.Pieces(edges).Select(p => ((p.From - Hour).TotalMinutes, (p.To - Hour).TotalMinutes)),
            Is.EqualTo(new[] { (0.0, 3.0), (3.0, 10.0), (10.0, 30.0), (30.0, 45.0), (45.0, 60.0) }));
        Assert.Multiple(() =>
        {
            Assert.That(report.Total.Offered, Is.EqualTo(2));
            Assert.That(report.Total.Abandoned, Is.EqualTo(0));
            Assert.That(report.Total.Orders, Is.EqualTo(6));
            Assert.That(report.Total.Returns, Is.EqualTo(1));
        });
    }
}
