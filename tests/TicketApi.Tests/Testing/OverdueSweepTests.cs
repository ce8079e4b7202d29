using System.Net.Http.Json;
using System.Text.Json;

namespace Hotline.TicketApi.Tests.Testing;

/// <summary>
/// Issue 23 / DOMAIN.md step 8 done by the system: a real TicketApi on the test clock flags an order past its reply
/// deadline or dispatch cut-off with an audit row, once, counts it per department, and shows it to the wallboard's API.
/// </summary>
[TestFixture]
public sealed class OverdueSweepTests
{
    private TestClockHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _host = await TestClockHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private static long Id(JsonElement order) => order.GetProperty("id").GetInt64();

    /// <summary>The sweep runs in the host when the clock moves; a separate process has no event to await, so poll its audit trail.</summary>
    private async Task<JsonElement[]> OverdueAuditAsync(long id, int expected)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (true)
        {
            var detail = await _host.Admin.GetFromJsonAsync<JsonElement>($"/api/workorders/{id}", cts.Token);
            var rows = detail.GetProperty("audit").EnumerateArray().Where(a => a.GetProperty("action").GetString() == "overdue").ToArray();
            if (rows.Length >= expected) return rows;
            await ticker.WaitForNextTickAsync(cts.Token);
        }
    }

    [Test]
    public async Task An_order_past_its_reply_deadline_is_flagged_once_with_an_audit_row_and_counted_for_its_department()
    {
        var monday = await _host.MondayMorningAsync();
        var order = await _host.PostAsync(_host.Admin, "/api/workorders", new { channel = "Phone", kind = "Matter", content = "broken lamp", nature = "complaint" });
        order = await _host.PostAsync(_host.Admin, $"/api/workorders/{Id(order)}/dispatch", new { departmentId = "lighting", nature = "complaint" });
        var deadline = order.GetProperty("deadlineAt").GetDateTimeOffset();

        await _host.SetClockAsync(deadline.AddMinutes(1));
        var audit = await OverdueAuditAsync(Id(order), 1);
        Assert.That(audit[0].GetProperty("actorId").GetString(), Is.EqualTo("overdue-sweep"));
        Assert.That(audit[0].GetProperty("detail").GetString(), Does.Contain("reply deadline passed").And.Contain("lighting"));
        var view = await _host.OrderAsync(Id(order));
        Assert.That(view.GetProperty("supervised").GetBoolean(), Is.True);
        Assert.That(view.GetProperty("overdueFlaggedAt").GetDateTimeOffset(), Is.EqualTo(deadline.AddMinutes(1)));

        var summary = await _host.Admin.GetFromJsonAsync<JsonElement>("/api/supervision/overdue");
        var lighting = summary.GetProperty("departments").EnumerateArray().Single(d => d.GetProperty("departmentId").GetString() == "lighting");
        Assert.That((lighting.GetProperty("overdue").GetInt32(), lighting.GetProperty("flagged").GetInt32()), Is.EqualTo((1, 1)));

        // Later sweeps do not flag the same deadline again.
        await _host.SetClockAsync(deadline.AddHours(2));
        await _host.SetClockAsync(deadline.AddHours(3));
        var again = await _host.Admin.GetFromJsonAsync<JsonElement>($"/api/workorders/{Id(order)}");
        Assert.That(again.GetProperty("audit").EnumerateArray().Count(a => a.GetProperty("action").GetString() == "overdue"), Is.EqualTo(1));

        var byDepartment = await _host.Admin.GetFromJsonAsync<JsonElement>(
            $"/api/metrics?from={Uri.EscapeDataString(monday.AddMinutes(-1).UtcDateTime.ToString("O"))}&to={Uri.EscapeDataString(monday.AddHours(1).UtcDateTime.ToString("O"))}&groupBy=department");
        var group = byDepartment.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("key").GetString() == "lighting");
        Assert.That(group.GetProperty("flaggedOverdue").GetInt64(), Is.EqualTo(1));
    }

    [Test]
    public async Task An_order_not_dispatched_by_its_cut_off_is_flagged()
    {
        await _host.MondayMorningAsync();
        var order = await _host.PostAsync(_host.Admin, "/api/workorders", new { channel = "Phone", kind = "Matter", content = "no one dispatched me", nature = "consultation" });
        var due = order.GetProperty("dispatchDueAt").GetDateTimeOffset();
        await _host.SetClockAsync(due.AddMinutes(1));
        var audit = await OverdueAuditAsync(Id(order), 1);
        Assert.That(audit[0].GetProperty("detail").GetString(), Does.Contain("dispatch cut-off passed"));
    }
}
