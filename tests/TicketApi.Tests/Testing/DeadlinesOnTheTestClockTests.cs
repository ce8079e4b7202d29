using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.TestSupport;

namespace Hotline.TicketApi.Tests.Testing;

/// <summary>
/// Issue 23: time can be tested. A real TicketApi process on <c>Testing:Clock=Manual</c>; the test drives its clock
/// through <c>/api/testing/clock</c> and watches a reply go overdue and a callback come late, through the REST API only.
/// </summary>
[TestFixture]
public sealed class DeadlinesOnTheTestClockTests
{
    private TestClockHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _host = await TestClockHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private static long Id(JsonElement order) => order.GetProperty("id").GetInt64();

    [Test]
    public async Task A_reply_after_the_deadline_makes_the_order_overdue_and_counts_as_late()
    {
        var monday = await _host.MondayMorningAsync();
        var late = await _host.DispatchedComplaintAsync("pothole, replied late");
        var onTime = await _host.DispatchedComplaintAsync("pothole, replied on time");
        var deadline = late.GetProperty("deadlineAt").GetDateTimeOffset();
        Assert.That(deadline - monday, Is.GreaterThan(TimeSpan.FromDays(2)), "complaint: 3 working days (DOMAIN.md step 3)");
        Assert.That(late.GetProperty("overdue").GetBoolean(), Is.False);

        await _host.SetClockAsync(deadline.AddMinutes(-1));
        await _host.PostAsync(_host.Roads, $"/api/workorders/{Id(onTime)}/reply", new { reply = "filled" });
        Assert.That((await _host.OrderAsync(Id(late))).GetProperty("overdue").GetBoolean(), Is.False, "one minute before the deadline");

        await _host.SetClockAsync(deadline.AddMinutes(1));
        Assert.That((await _host.OrderAsync(Id(late))).GetProperty("overdue").GetBoolean(), Is.True, "one minute after the deadline");
        var overdueList = await _host.Admin.GetFromJsonAsync<JsonElement>("/api/workorders?overdue=true&department=roads&pageSize=200");
        Assert.That(overdueList.GetProperty("items").EnumerateArray().Select(Id), Does.Contain(Id(late)).And.Not.Contain(Id(onTime)));

        await _host.PostAsync(_host.Roads, $"/api/workorders/{Id(late)}/reply", new { reply = "filled, late" });
        var total = await _host.MetricsTotalAsync(monday.AddMinutes(-1), monday.AddHours(1));
        Assert.Multiple(() =>
        {
            Assert.That(total.GetProperty("repliesDue").GetInt64(), Is.EqualTo(2));
            Assert.That(total.GetProperty("repliedOnTime").GetInt64(), Is.EqualTo(1));
            Assert.That(total.GetProperty("onTimeReplyRate").GetDouble(), Is.EqualTo(0.5));
        });
    }

    [Test]
    public async Task A_callback_more_than_3_days_after_the_reply_counts_as_late()
    {
        var monday = await _host.MondayMorningAsync();
        var late = await _host.DispatchedComplaintAsync("noise, called back late");
        var onTime = await _host.DispatchedComplaintAsync("noise, called back on time");
        foreach (var order in new[] { late, onTime })
        {
            await _host.PostAsync(_host.Roads, $"/api/workorders/{Id(order)}/reply", new { reply = "warned the site" });
            await _host.PostAsync(_host.Admin, $"/api/workorders/{Id(order)}/review", new { note = "ok" });
        }
        var due = (await _host.OrderAsync(Id(late))).GetProperty("callbackDueAt").GetDateTimeOffset();
        Assert.That(due, Is.EqualTo(monday.AddDays(3)), "DOMAIN.md step 7: within 3 days of the reply");

        await _host.SetClockAsync(due.AddMinutes(-1));
        await _host.PostAsync(_host.Admin, $"/api/workorders/{Id(onTime)}/callback", new { satisfaction = "Satisfied" });
        await _host.SetClockAsync(due.AddMinutes(1));
        var metricsWhileWaiting = await _host.MetricsTotalAsync(monday.AddMinutes(-1), monday.AddHours(1));
        Assert.That(metricsWhileWaiting.GetProperty("callbacksDue").GetInt64(), Is.EqualTo(2), "the late one is due before it is done");

        var calledBack = await _host.PostAsync(_host.Admin, $"/api/workorders/{Id(late)}/callback", new { satisfaction = "Satisfied" });
        Assert.That(calledBack.GetProperty("calledBackAt").GetDateTimeOffset(), Is.EqualTo(due.AddMinutes(1)), "stamped with the test clock");
        var total = await _host.MetricsTotalAsync(monday.AddMinutes(-1), monday.AddHours(1));
        Assert.Multiple(() =>
        {
            Assert.That(total.GetProperty("callbacksDue").GetInt64(), Is.EqualTo(2));
            Assert.That(total.GetProperty("calledBackOnTime").GetInt64(), Is.EqualTo(1));
            Assert.That(total.GetProperty("timelyCallbackRate").GetDouble(), Is.EqualTo(0.5));
        });
    }

    [Test]
    public async Task The_clock_is_admin_only_and_never_goes_back()
    {
        using var supervisor = _host.Client(await _host.CreateKeyAsync("sup-clock", "supervisor"));
        Assert.That((await supervisor.GetAsync("/api/testing/clock")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await supervisor.PostAsJsonAsync("/api/testing/clock", new { advance = "1.00:00:00" })).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var now = await _host.NowAsync();
        var back = await _host.Admin.PostAsJsonAsync("/api/testing/clock", new { set = now.AddDays(-1) });
        Assert.That(back.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var both = await _host.Admin.PostAsJsonAsync("/api/testing/clock", new { set = now.AddDays(1), advance = "1.00:00:00" });
        Assert.That(both.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await _host.NowAsync(), Is.EqualTo(now), "refused requests change nothing");
        var advanced = await _host.Admin.PostAsJsonAsync("/api/testing/clock", new { advance = "02:00:00" });
        Assert.That((await advanced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("utcNow").GetDateTimeOffset(), Is.EqualTo(now.AddHours(2)));
        Assert.That(_host.Host.Process.Output, Does.Contain("TEST CLOCK"), "loud at start");
    }

    [Test]
    public async Task Without_Testing_Clock_Manual_the_clock_endpoint_does_not_exist()
    {
        await using var host = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string>
        {
            ["Auth:BootstrapAdminKey"] = TestClockHost.AdminKey,
            ["Serilog:MinimumLevel:Default"] = "Warning",
        });
        using var admin = new HttpClient { BaseAddress = host.HttpUrl };
        admin.DefaultRequestHeaders.Add("X-Api-Key", TestClockHost.AdminKey);
        Assert.That((await admin.GetAsync("/api/testing/clock")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await admin.PostAsJsonAsync("/api/testing/clock", new { advance = "1.00:00:00" })).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
