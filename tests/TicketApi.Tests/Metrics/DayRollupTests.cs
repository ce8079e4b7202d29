using System.Text.Json;
using Hotline.Contracts.V1;
using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Calendar;
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

/// <summary>
/// Issue 22: whole UTC days are read from the day rollups (grouped by agent) and every whole hour from the hour × queue
/// rollups (every other grouping), and a report over many days gives exactly the figures of the hour rollups alone — with exclusion windows (whole hours, inside an hour, a whole UTC day), periods that start
/// and end off the hour, and zones whole hours (Asia/Shanghai), half hours (Asia/Kolkata) and no hours (UTC) from UTC.
/// </summary>
[TestFixture(StoreKind.Sqlite)]
[TestFixture(StoreKind.PostgreSql)]
public sealed class DayRollupTests(StoreKind kind)
{
    private static readonly CatalogueOptions Catalogue = new();
    private static readonly DateTime Nov1 = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
    private TestStore _store = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public async Task SetUp()
    {
        _store = new TestStore(kind);
        _time = new FakeTimeProvider(new DateTimeOffset(Nov1));
        // Twelve days, five calls a day at UTC times around UTC midnight, Beijing midnight (16:00) and Kolkata midnight (18:30).
        var scripts = new List<CallScript>();
        (int H, int M)[] times = [(0, 10), (5, 40), (16, 20), (18, 45), (23, 50)];
        for (var day = 0; day < 12; day++)
            for (var i = 0; i < times.Length; i++)
            {
                var at = Nov1.AddDays(day).AddHours(times[i].H).AddMinutes(times[i].M);
                var agent = (day + i) % 2 == 0 ? "a1" : "a2";
                var queue = i % 2 == 0 ? "general" : "business";
                var call = new CallScript($"c{day}-{i}", at).Offered().Queued(queue);
                scripts.Add((day + i) % 4 == 3
                    ? call.Abandoned(30000, queue).Ended()
                    : call.Answered(agent, 4000 * (i + 1), queue)
                        .Rated(agent, i % 3 == 0 ? SatisfactionScore.NotSatisfied : SatisfactionScore.Satisfied, queue).Ended(agent));
            }
        // A second agent in a queue's hour, so the hour × queue rows sum several agents' rows (issue 22).
        for (var day = 0; day < 12; day++)
            scripts.Add(new CallScript($"x{day}", Nov1.AddDays(day).AddHours(5).AddMinutes(55)).Offered().Queued("business")
                .Answered("a3", 2000, "business").Rated("a3", SatisfactionScore.BasicallySatisfied, "business").Ended("a3"));
        _time.SetUtcNow(new DateTimeOffset(Nov1.AddDays(13)));
        await using var db = _store.Create();
        await new IngestBatch(db, Rules, Catalogue, _time).ApplyAsync([.. scripts.SelectMany(c => c.Envelopes)], CancellationToken.None);

        // Orders through their lifecycle (TicketDbContext's save keeps both rollups): every third dispatched to a
        // department, some of those replied, one returned; the rest left registered (overdue: "due but not done").
        var complaint = Catalogue.FindNature("complaint")!;
        var hotline = new Actor("a1", Roles.Agent);
        var orders = await db.WorkOrders.OrderBy(o => o.Id).ToListAsync();
        for (var i = 0; i < orders.Count; i += 3)
        {
            var o = orders[i];
            var department = i % 2 == 0 ? "roads" : "water";
            o.Dispatch(department, complaint, Rules, o.CreatedAt.AddHours(i % 5 == 0 ? 30 : 1), hotline);
            if (i % 6 == 0) o.ReplyWith("done", o.CreatedAt.AddDays(2), new Actor("d", Roles.Department, department));
            else if (i % 9 == 3) o.Return("not ours", o.CreatedAt.AddDays(1), new Actor("d", Roles.Department, department));
        }
        await db.SaveChangesAsync();
        db.ExclusionWindows.AddRange(
            new ExclusionWindow { From = Nov1.AddDays(2).AddHours(10), To = Nov1.AddDays(2).AddHours(14), Reason = "whole hours" },
            new ExclusionWindow { From = Nov1.AddDays(4).AddHours(18).AddMinutes(10), To = Nov1.AddDays(4).AddHours(19).AddMinutes(20), Reason = "inside hours" },
            new ExclusionWindow { From = Nov1.AddDays(6), To = Nov1.AddDays(7), Reason = "a whole UTC day" });
        await db.SaveChangesAsync();
    }

    [TearDown] public void TearDown() => _store.Dispose();

    private async Task<string> ReportAsync(WorkingCalendar calendar, DateTime from, DateTime to, MetricsGrouping groupBy, bool readDays)
    {
        await using var db = _store.Create();
        var report = await new MetricsQuery(db, calendar, _time) { ReadSummaryRollups = readDays }.RunAsync(from, to, groupBy, CancellationToken.None);
        return JsonSerializer.Serialize(report);
    }

    [TestCase("Asia/Shanghai")]
    [TestCase("Asia/Kolkata")]
    [TestCase("Etc/UTC")]
    public async Task Every_grouping_gives_the_same_figures_from_day_rollups_as_from_hour_rollups(string zone)
    {
        var calendar = new CalendarOptions { TimeZone = zone }.Build();
        var localDays = (calendar.AtLocal(new DateOnly(2026, 11, 1), TimeOnly.MinValue).UtcDateTime,
            calendar.AtLocal(new DateOnly(2026, 11, 13), TimeOnly.MinValue).UtcDateTime);
        var offTheHour = (Nov1.AddHours(3).AddMinutes(17), Nov1.AddDays(11).AddHours(21).AddMinutes(42));
        foreach (var (from, to) in new[] { localDays, offTheHour })
            foreach (var groupBy in Enum.GetValues<MetricsGrouping>())
            {
                var fromDays = await ReportAsync(calendar, from, to, groupBy, readDays: true);
                var fromHours = await ReportAsync(calendar, from, to, groupBy, readDays: false);
                Assert.That(fromDays, Is.EqualTo(fromHours), $"{zone} {from:O}–{to:O} groupBy={groupBy}");
            }
        // Not vacuous: the totals count calls and orders, and read whole days from the day rollups.
        var total = JsonSerializer.Deserialize<JsonElement>(await ReportAsync(calendar, localDays.Item1, localDays.Item2, MetricsGrouping.None, true));
        Assert.That(total.GetProperty("Total").GetProperty("Offered").GetInt64(), Is.GreaterThan(40));
        Assert.That(total.GetProperty("Total").GetProperty("Orders").GetInt64(), Is.GreaterThan(40));
        await using var db = _store.Create();
        var edges = PeriodEdges.Of(localDays.Item1, localDays.Item2, await db.ExclusionWindows.ToListAsync(), MetricsGrouping.None, calendar);
        Assert.That(RollupPlan.Of(edges, _ => true).Days.Sum(d => d.To - d.From), Is.GreaterThanOrEqualTo(8), "days 2, 3, 5, 7 are not whole; the rest are");
    }

    [Test]
    public async Task Queue_hour_rollups_hold_the_sums_of_their_hour_rollups()
    {
        await using var db = _store.Create();
        var callHours = (await db.CallHourRollups.AsNoTracking().ToListAsync())
            .GroupBy(r => CallQueueHourRollup.KeyOf(r.Hour, r.Queue))
            .ToDictionary(g => g.Key, g => (g.Sum(r => r.Offered), g.Sum(r => r.Answered), g.Sum(r => r.AnsweredWithinServiceLevel),
                g.Sum(r => r.Abandoned), g.Sum(r => r.AnswerWaitMsTotal), g.Sum(r => r.Rated), g.Sum(r => r.Satisfied), g.Sum(r => r.NotSatisfied)));
        var queueHours = (await db.CallQueueHourRollups.AsNoTracking().ToListAsync())
            .ToDictionary(r => r.Key, r => (r.Offered, r.Answered, r.AnsweredWithinServiceLevel, r.Abandoned, r.AnswerWaitMsTotal, r.Rated, r.Satisfied, r.NotSatisfied));
        Assert.That(queueHours, Is.EquivalentTo(callHours));
        Assert.That(queueHours.Count, Is.LessThan(await db.CallHourRollups.CountAsync()), "not vacuous: several agents share a queue's hour");
    }

    [Test]
    public async Task Day_rollups_hold_the_sums_of_their_hour_rollups()
    {
        await using var db = _store.Create();
        var callHours = (await db.CallHourRollups.AsNoTracking().ToListAsync())
            .GroupBy(r => CallDayRollup.KeyOf(CallDayRollup.DayOf(r.Hour), r.Queue, r.AgentId))
            .ToDictionary(g => g.Key, g => (g.Sum(r => r.Offered), g.Sum(r => r.Answered), g.Sum(r => r.Rated), g.Sum(r => r.AnswerWaitMsTotal)));
        var callDays = (await db.CallDayRollups.AsNoTracking().ToListAsync())
            .ToDictionary(r => r.Key, r => (r.Offered, r.Answered, r.Rated, r.AnswerWaitMsTotal));
        Assert.That(callDays, Is.EquivalentTo(callHours));
        var orderHours = (await db.OrderHourRollups.AsNoTracking().ToListAsync())
            .GroupBy(r => TicketApi.Data.OrderDayRollup.KeyOf(CallDayRollup.DayOf(r.Hour), r.Dimension, r.Value))
            .ToDictionary(g => g.Key, g => (g.Sum(r => r.Registered), g.Sum(r => r.DispatchedOnTime + r.DispatchedLate), g.Sum(r => r.RepliedOnTime), g.Sum(r => r.Returned)));
        var orderDays = (await db.OrderDayRollups.AsNoTracking().ToListAsync())
            .ToDictionary(r => r.Key, r => (r.Registered, r.DispatchedOnTime + r.DispatchedLate, r.RepliedOnTime, r.Returned));
        Assert.That(orderDays, Is.EquivalentTo(orderHours));
        Assert.That(orderDays.Values.Sum(v => v.Item2), Is.GreaterThan(0), "dispatches counted by the save");
    }
}
