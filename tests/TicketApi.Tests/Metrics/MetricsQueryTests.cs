using Hotline.Contracts.V1;
using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Ingest;
using Hotline.TicketApi.Metrics;
using Hotline.TicketApi.Tests.Ingest;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.Metrics;

/// <summary>The indicators against a small fixture whose figures are computed by hand in the comments.</summary>
[TestFixture(StoreKind.Sqlite)]
[TestFixture(StoreKind.PostgreSql)]
public sealed class MetricsQueryTests(StoreKind kind)
{
    private TestStore _store = null!;
    private FakeTimeProvider _time = null!;
    private static readonly CatalogueOptions Catalogue = new();
    private CallScript[] _calls = [];

    [SetUp]
    public async Task SetUp()
    {
        _store = new TestStore(kind);
        _time = new FakeTimeProvider(new DateTimeOffset(Local(2026, 11, 24, 10), TimeSpan.Zero));
        // 10:00–11:00 local: 4 calls offered to queue "general": a1 answers in 5 s and 10 s, a2 in 20 s, one abandons.
        // A 5th call at 14:00 falls in a declared exclusion window.
        var calls = _calls = new[]
        {
            new CallScript("c1", Local(2026, 11, 24, 10, 1)).Offered().Queued().Answered("a1", 5000).Rated("a1", SatisfactionScore.Satisfied).Ended("a1"),
            new CallScript("c2", Local(2026, 11, 24, 10, 2)).Offered().Queued().Answered("a1", 10000).Rated("a1", SatisfactionScore.BasicallySatisfied).Ended("a1"),
            new CallScript("c3", Local(2026, 11, 24, 10, 3)).Offered().Queued().Answered("a2", 20000).Rated("a2", SatisfactionScore.NotSatisfied).Ended("a2"),
            new CallScript("c4", Local(2026, 11, 24, 10, 4)).Offered().Queued().Abandoned(40000).Ended(),
            new CallScript("c5", Local(2026, 11, 24, 14, 0)).Offered().Queued().Abandoned(40000).Ended(),
        };
        await using var db = _store.Create();
        await new IngestBatch(db, Rules, Catalogue, _time).ApplyAsync([.. calls.SelectMany(c => c.Envelopes)], CancellationToken.None);
        db.ExclusionWindows.Add(new ExclusionWindow { From = Local(2026, 11, 24, 14), To = Local(2026, 11, 24, 15), Reason = "switch failure" });
        await db.SaveChangesAsync();

        // Orders from c1, c2, c3 (all created at the call's end, ~10:0x local, dispatch due end of day):
        var orders = await db.WorkOrders.Where(o => o.Kind == WorkOrderKind.Matter).OrderBy(o => o.CallId).ToListAsync();
        var complaint = Catalogue.FindNature("complaint")!;
        var agent = new Actor("a1", Roles.Agent);
        var roads = new Actor("r", Roles.Department, "roads");
        var now = Local(2026, 11, 24, 12);
        // c1: dispatched on time, replied on time, reviewed, called back on time, satisfied.
        orders[0].Dispatch("roads", complaint, Rules, now, agent);
        orders[0].ReplyWith("done", Local(2026, 11, 25, 9), roads);
        orders[0].Review(null, Local(2026, 11, 25, 9), agent);
        orders[0].Callback(Satisfaction.Satisfied, null, Rules, Local(2026, 11, 26, 9), agent);
        // c2: dispatched late (next day), replied after the deadline (end of Mon 30 Nov), after one rework.
        orders[1].Dispatch("water", complaint, Rules, Local(2026, 11, 25, 9), agent);
        orders[1].ReplyWith("partial", Local(2026, 12, 1, 9), new Actor("w", Roles.Department, "water"));
        orders[1].Rework("no outcome", Local(2026, 12, 1, 10), agent);
        // c3: closed on the spot: not to dispatch.
        orders[2].CloseOnTheSpot("answered", now, agent);
        // By hand: SMS at 11:00 answered 23:00 the same day; SMS at 12:00 answered 09:00 the next day; a web-form complaint
        // about the hotline (12:30) closed the same day; a web-form consultation flagged "about the hotline" (not a complaint:
        // ignored), closed the next day.
        var hotline = new Actor("a1", Roles.Agent);
        WorkOrder ByHand(Channel channel, string nature, DateTime at, bool aboutHotline = false) =>
            WorkOrder.Register(new NewWorkOrder(WorkOrderKind.Matter, channel, "by hand", AboutHotline: aboutHotline),
                Catalogue.FindNature(nature), Rules, at, hotline);
        var smsSameDay = ByHand(Channel.Sms, "consultation", Local(2026, 11, 24, 11));
        smsSameDay.CloseOnTheSpot("replied by SMS", Local(2026, 11, 24, 23), hotline);
        var smsNextDay = ByHand(Channel.Sms, "consultation", Local(2026, 11, 24, 12));
        smsNextDay.CloseOnTheSpot("replied by SMS", Local(2026, 11, 25, 9), hotline);
        var aboutUs = ByHand(Channel.WebForm, "complaint", Local(2026, 11, 24, 12, 30), aboutHotline: true);
        aboutUs.CloseOnTheSpot("apologised", Local(2026, 11, 24, 15), hotline);
        var notAComplaint = ByHand(Channel.WebForm, "consultation", Local(2026, 11, 24, 23), aboutHotline: true);
        notAComplaint.CloseOnTheSpot("answered", Local(2026, 11, 25, 10), hotline);
        db.WorkOrders.AddRange(smsSameDay, smsNextDay, aboutUs, notAComplaint);
        await db.SaveChangesAsync();
        _time.SetUtcNow(new DateTimeOffset(Local(2026, 12, 2, 12), TimeSpan.Zero));
    }

    [TearDown] public void TearDown() => _store.Dispose();

    private async Task<MetricsReport> RunAsync(MetricsGrouping groupBy)
    {
        await using var db = _store.Create();
        return await new MetricsQuery(db, Fixtures.Calendar, _time).RunAsync(Local(2026, 11, 24), Local(2026, 11, 25), groupBy, CancellationToken.None);
    }

    [Test]
    public async Task Call_indicators_match_the_hand_computed_figures_with_the_exclusion_applied_and_shown()
    {
        var report = await RunAsync(MetricsGrouping.None);
        var t = report.Total;
        Assert.Multiple(() =>
        {
            Assert.That(report.Exclusions.Single().Reason, Is.EqualTo("switch failure"));
            Assert.That(t.Offered, Is.EqualTo(4), "c5 falls in the exclusion window");
            Assert.That(t.Answered, Is.EqualTo(3));
            Assert.That(t.Abandoned, Is.EqualTo(1));
            Assert.That(t.AnsweredWithinServiceLevel, Is.EqualTo(2));
            Assert.That(t.ConnectionRate, Is.EqualTo(0.75));                  // 3 / 4
            Assert.That(t.TimelyAnswerRate, Is.EqualTo(0.6667));              // 2 / 3
            Assert.That(t.AverageSpeedOfAnswerSeconds, Is.EqualTo(11.667));   // (5 + 10 + 20) / 3
            Assert.That(t.Satisfaction, Is.EqualTo(0.6667));                  // satisfied + basically satisfied: 2 / 3
        });
    }

    [Test]
    public async Task Order_indicators_match_the_hand_computed_figures()
    {
        var t = (await RunAsync(MetricsGrouping.None)).Total;
        Assert.Multiple(() =>
        {
            // To dispatch: c1 (on time), c2 (late), and the return call for c4 (registered, due end of 24 Nov: overdue now).
            Assert.That(t.OrdersToDispatch, Is.EqualTo(3));
            Assert.That(t.TimelyDispatchRate, Is.EqualTo(0.3333));
            // Replies due: c1 (on time), c2 (late).
            Assert.That(t.OnTimeReplyRate, Is.EqualTo(0.5));
            // Handled (replied): c1, c2; reworked: c2.
            Assert.That(t.ReworkRate, Is.EqualTo(0.5));
            Assert.That(t.TimelyCallbackRate, Is.EqualTo(1.0));
            Assert.That(t.CallbackSatisfactionRate, Is.EqualTo(1.0));
        });
    }

    [Test]
    public async Task Sms_reply_complaint_and_reply_rates_match_the_hand_computed_figures()
    {
        var t = (await RunAsync(MetricsGrouping.None)).Total;
        Assert.Multiple(() =>
        {
            // SMS: 2 received, 1 answered the same local day.
            Assert.That(t.SmsReceived, Is.EqualTo(2));
            Assert.That(t.SmsReplyRate, Is.EqualTo(0.5));
            // Complaints about the hotline: 1 (the consultation flagged "about the hotline" is not a complaint) ÷ 3 valid (answered) calls.
            Assert.That(t.HotlineComplaints, Is.EqualTo(1));
            Assert.That(t.ComplaintRate, Is.EqualTo(0.3333));
            // Orders: c1, c2, c3, c4's return call (c5's falls in the exclusion) + 4 by hand = 8; answered to the caller:
            // c1 (called back), c3 (closed on the spot) and the four by hand = 6.
            Assert.That(t.Orders, Is.EqualTo(8));
            Assert.That(t.ReplyRate, Is.EqualTo(0.75));
        });
    }

    [Test]
    public async Task Redelivered_call_events_count_no_order_twice()
    {
        await using (var db = _store.Create())
            await new IngestBatch(db, Rules, Catalogue, _time).ApplyAsync([.. _calls.SelectMany(c => c.Envelopes)], CancellationToken.None);
        var t = (await RunAsync(MetricsGrouping.None)).Total;
        Assert.That((t.Orders, t.OrdersAnswered, t.Offered), Is.EqualTo((8L, 6L, 4L)));
    }

    [Test]
    public async Task The_new_rates_are_in_the_csv()
    {
        var csv = MonthlyReportCsv.Write(await RunAsync(MetricsGrouping.None)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = csv[0].Split(',');
        var total = csv.Single(l => l.StartsWith("total,", StringComparison.Ordinal)).Split(',');
        string Cell(string column) => total[Array.IndexOf(header, column)];
        Assert.Multiple(() =>
        {
            Assert.That(Cell("smsReplyRate"), Is.EqualTo("0.5"));
            Assert.That(Cell("complaintRate"), Is.EqualTo("0.3333"));
            Assert.That(Cell("replyRate"), Is.EqualTo("0.75"));
            Assert.That(Cell("orders"), Is.EqualTo("8"));
        });
    }

    [Test]
    public async Task Grouping_by_agent_and_department_splits_the_counts()
    {
        var byAgent = (await RunAsync(MetricsGrouping.Agent)).Groups.ToDictionary(g => g.Key);
        var byDepartment = (await RunAsync(MetricsGrouping.Department)).Groups.ToDictionary(g => g.Key);
        Assert.Multiple(() =>
        {
            Assert.That(byAgent["a1"].Answered, Is.EqualTo(2));
            Assert.That(byAgent["a1"].TimelyAnswerRate, Is.EqualTo(1.0));
            Assert.That(byAgent["a2"].TimelyAnswerRate, Is.EqualTo(0.0));
            Assert.That(byDepartment["roads"].OnTimeReplyRate, Is.EqualTo(1.0));
            Assert.That(byDepartment["water"].OnTimeReplyRate, Is.EqualTo(0.0));
        });
    }

    [Test]
    public async Task Grouping_by_hour_folds_into_local_hours_and_the_csv_lists_groups_total_and_exclusions()
    {
        var report = await RunAsync(MetricsGrouping.Hour);
        Assert.That(report.Groups.Select(g => g.Key), Has.Member("2026-11-24T10:00+08:00"));
        Assert.That(report.Groups.Single(g => g.Key == "2026-11-24T10:00+08:00").Offered, Is.EqualTo(4));
        var csv = MonthlyReportCsv.Write(report).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(csv[0], Does.StartWith("group,offered,answered"));
        Assert.That(csv, Has.Some.StartWith("total,4,3,2,1,11.667,0.75,"));
        Assert.That(csv[^1], Does.StartWith("excluded,").And.Contain("switch failure"));
    }
}
