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

namespace Hotline.TicketApi.Tests.Metrics;

/// <summary>
/// Issue 23: periods and exclusion windows are exact, also in zones that are not whole hours from UTC
/// (Asia/Kolkata +05:30, Asia/Kathmandu +05:45), and returns are counted per department.
/// </summary>
[TestFixture]
public sealed class ExactPeriodTests
{
    private static readonly CatalogueOptions Catalogue = new();
    private TestStore _store = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void SetUp()
    {
        _store = new TestStore();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [TearDown] public void TearDown() => _store.Dispose();

    private static WorkingCalendar CalendarIn(string zone) => new CalendarOptions { TimeZone = zone }.Build();

    private static DateTime At(WorkingCalendar calendar, int day, int hour, int minute) =>
        calendar.AtLocal(new DateOnly(2026, 11, day), new TimeOnly(hour, minute)).UtcDateTime;

    /// <summary>An answered, rated call offered at <paramref name="at"/>; its order is created two minutes later (the call's end).</summary>
    private async Task CallAsync(string id, DateTime at)
    {
        _time.SetUtcNow(new DateTimeOffset(at.AddMinutes(2), TimeSpan.Zero));
        var call = new CallScript(id, at).Offered().Queued().Answered("a1", 5000).Rated("a1", SatisfactionScore.Satisfied).Ended("a1");
        await using var db = _store.Create();
        await new IngestBatch(db, new DeadlineRules(Fixtures.Calendar), Catalogue, _time).ApplyAsync([.. call.Envelopes], CancellationToken.None);
    }

    private async Task<MetricsReport> RunAsync(WorkingCalendar calendar, DateTime from, DateTime to, MetricsGrouping groupBy)
    {
        await using var db = _store.Create();
        return await new MetricsQuery(db, calendar, _time).RunAsync(from, to, groupBy, CancellationToken.None);
    }

    [TestCase("Asia/Kolkata", "2026-11-24T23:30+05:30")]
    [TestCase("Asia/Kathmandu", "2026-11-24T23:45+05:45")]
    public async Task A_local_day_is_cut_at_local_midnight_in_a_zone_that_is_not_whole_hours_from_UTC(string zone, string lastHourGroup)
    {
        var calendar = CalendarIn(zone);
        await CallAsync("before", At(calendar, 23, 23, 50));   // 23:50 the day before: not counted
        await CallAsync("inside", At(calendar, 24, 23, 55));   // 23:55 that day: counted
        await CallAsync("after", At(calendar, 25, 0, 10));     // 00:10 the next day: not counted
        _time.SetUtcNow(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero));

        var day = await RunAsync(calendar, At(calendar, 24, 0, 0), At(calendar, 25, 0, 0), MetricsGrouping.None);
        Assert.Multiple(() =>
        {
            Assert.That(day.Total.Offered, Is.EqualTo(1), "only the 23:55 call");
            Assert.That(day.Total.Answered, Is.EqualTo(1));
            Assert.That(day.Total.Rated, Is.EqualTo(1), "its rating (23:56) too");
            Assert.That(day.Total.Orders, Is.EqualTo(1), "and its order (23:57)");
        });

        var byDay = await RunAsync(calendar, At(calendar, 23, 0, 0), At(calendar, 26, 0, 0), MetricsGrouping.Day);
        Assert.That(byDay.Groups.Select(g => (g.Key, g.Offered, g.Orders)),
            Is.EqualTo(new[] { ("2026-11-23", 1L, 1L), ("2026-11-24", 1L, 1L), ("2026-11-25", 1L, 1L) }));
        var byMonth = await RunAsync(calendar, At(calendar, 1, 0, 0), calendar.AtLocal(new DateOnly(2026, 12, 1), TimeOnly.MinValue).UtcDateTime, MetricsGrouping.Month);
        Assert.That(byMonth.Groups.Single().Offered, Is.EqualTo(3));

        var byHour = await RunAsync(calendar, At(calendar, 24, 0, 0), At(calendar, 25, 0, 0), MetricsGrouping.Hour);
        Assert.That(byHour.Groups.Single(g => g.Offered > 0).Key, Is.EqualTo(lastHourGroup), "hour groups are named by their local start");
    }

    [Test]
    public async Task An_exclusion_window_excludes_exactly_its_period_and_is_listed()
    {
        var kolkata = CalendarIn("Asia/Kolkata");
        foreach (var (id, h, m) in new[] { ("c1340", 13, 40), ("c1420", 14, 20), ("c1520", 15, 20) })
            await CallAsync(id, At(kolkata, 24, h, m));
        await using (var db = _store.Create())
        {
            db.ExclusionWindows.Add(new ExclusionWindow { From = At(kolkata, 24, 14, 0), To = At(kolkata, 24, 15, 0), Reason = "switch failure" });
            await db.SaveChangesAsync();
        }
        var report = await RunAsync(kolkata, At(kolkata, 24, 0, 0), At(kolkata, 25, 0, 0), MetricsGrouping.None);
        Assert.Multiple(() =>
        {
            Assert.That(report.Total.Offered, Is.EqualTo(2), "13:40 and 15:20 count; only 14:20 is in the window");
            Assert.That(report.Total.Orders, Is.EqualTo(2));
            Assert.That(report.Exclusions.Single().From, Is.EqualTo(At(kolkata, 24, 14, 0)));
            Assert.That(report.Exclusions.Single().To, Is.EqualTo(At(kolkata, 24, 15, 0)));
        });
        var csv = MonthlyReportCsv.Write(report);
        Assert.That(csv, Does.Contain("excluded,2026-11-24T08:30:00.0000000Z,2026-11-24T09:30:00.0000000Z,switch failure"));
    }

    [Test]
    public async Task A_window_inside_one_hour_in_a_whole_hour_zone_excludes_only_its_minutes()
    {
        var shanghai = Fixtures.Calendar;
        await CallAsync("c1410", At(shanghai, 24, 14, 10));
        await CallAsync("c1440", At(shanghai, 24, 14, 40));
        await using (var db = _store.Create())
        {
            db.ExclusionWindows.Add(new ExclusionWindow { From = At(shanghai, 24, 14, 30), To = At(shanghai, 24, 15, 0), Reason = "overload" });
            await db.SaveChangesAsync();
        }
        var report = await RunAsync(shanghai, At(shanghai, 24, 0, 0), At(shanghai, 25, 0, 0), MetricsGrouping.Hour);
        Assert.That(report.Total.Offered, Is.EqualTo(1));
        Assert.That(report.Groups.Single().Key, Is.EqualTo("2026-11-24T14:00+08:00"));
    }

    [Test]
    public async Task Returns_are_counted_per_department_alike_from_the_rollups_and_from_an_exact_edge()
    {
        var shanghai = Fixtures.Calendar;
        var hotline = new Actor("a1", Roles.Agent);
        var complaint = Catalogue.FindNature("complaint")!;
        var created = At(shanghai, 24, 10, 20);
        await using (var db = _store.Create())
        {
            var order = WorkOrder.Register(new NewWorkOrder(WorkOrderKind.Matter, Channel.Phone, "blocked drain"), complaint, Fixtures.Rules, created, hotline);
            db.WorkOrders.Add(order);
            await db.SaveChangesAsync();
            order.Dispatch("roads", complaint, Fixtures.Rules, created.AddMinutes(5), hotline);
            await db.SaveChangesAsync();
            order.Return("not ours: drains", created.AddMinutes(30), new Actor("r", Roles.Department, "roads"));
            await db.SaveChangesAsync();
            order.Dispatch("water", complaint, Fixtures.Rules, created.AddMinutes(40), hotline);
            order.Return("not ours either", created.AddMinutes(50), new Actor("w", Roles.Department, "water"));
            await db.SaveChangesAsync();
            order.Dispatch("drains", complaint, Fixtures.Rules, created.AddMinutes(55), hotline);
            await db.SaveChangesAsync();
        }
        _time.SetUtcNow(new DateTimeOffset(created.AddHours(2), TimeSpan.Zero));

        var whole = await RunAsync(shanghai, At(shanghai, 24, 0, 0), At(shanghai, 25, 0, 0), MetricsGrouping.Department);
        var exact = await RunAsync(shanghai, created.AddMinutes(-5), At(shanghai, 25, 0, 0), MetricsGrouping.Department);
        foreach (var report in new[] { whole, exact })
        {
            var byDepartment = report.Groups.ToDictionary(g => g.Key, g => g.Returns);
            Assert.That(byDepartment.GetValueOrDefault("roads"), Is.EqualTo(1));
            Assert.That(byDepartment.GetValueOrDefault("water"), Is.EqualTo(1));
            Assert.That(report.Total.Returns, Is.EqualTo(2));
        }
        var csv = MonthlyReportCsv.Write(whole).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = csv[0].Split(',');
        var roads = csv.Single(l => l.StartsWith("roads,", StringComparison.Ordinal)).Split(',');
        Assert.That(roads[Array.IndexOf(header, "returns")], Is.EqualTo("1"));
    }
}
