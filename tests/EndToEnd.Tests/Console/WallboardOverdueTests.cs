using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hotline.EndToEnd.Tests.Console;

/// <summary>
/// Issue 23 / DOMAIN.md step 8 on the wall: a real TicketApi on the test clock (Testing:Clock=Manual) lets two dispatched
/// orders pass their reply deadline and one miss its dispatch cut-off; its overdue sweep flags them; the wallboard in
/// Chromium shows the overdue count per department (the hotline's own undispatched orders apart), with how many the sweep
/// flagged, each tile linking to the order list filtered to it.
/// </summary>
[TestFixture]
public sealed class WallboardOverdueTests
{
    private const string AdminKey = "e2e-wallboard-overdue-admin-key";
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    [Test]
    public async Task The_wallboard_counts_overdue_orders_per_department_and_how_many_the_sweep_flagged()
    {
        await using var host = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string>
        {
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["Testing:Clock"] = "Manual",
            // No engine: the overdue figures come from TicketApi alone.
            ["AcdEngine:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
        });
        using var admin = new HttpClient { BaseAddress = host.HttpUrl };
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);

        // A Monday 10:00 in Beijing, a week ahead of the clock's present: a plain working day.
        var now = (await admin.GetFromJsonAsync<JsonElement>("/api/testing/clock")).GetProperty("utcNow").GetDateTimeOffset();
        var local = now.ToOffset(Beijing).Date.AddDays(7);
        while (local.DayOfWeek != DayOfWeek.Monday) local = local.AddDays(1);
        await SetClockAsync(admin, new DateTimeOffset(local.AddHours(10), Beijing));

        var late1 = await PostAsync(admin, "/api/workorders", new { channel = "Phone", kind = "Matter", content = "lamp out on Elm Road", nature = "complaint" });
        var late2 = await PostAsync(admin, "/api/workorders", new { channel = "Phone", kind = "Matter", content = "lamp out on Oak Road", nature = "complaint" });
        var undispatched = await PostAsync(admin, "/api/workorders", new { channel = "Phone", kind = "Matter", content = "nobody dispatched me", nature = "consultation" });
        var deadline = (await PostAsync(admin, $"/api/workorders/{Id(late1)}/dispatch", new { departmentId = "lighting", nature = "complaint" })).GetProperty("deadlineAt").GetDateTimeOffset();
        await PostAsync(admin, $"/api/workorders/{Id(late2)}/dispatch", new { departmentId = "lighting", nature = "complaint" });
        Assert.That(undispatched.GetProperty("dispatchDueAt").GetDateTimeOffset(), Is.LessThan(deadline));

        await SetClockAsync(admin, deadline.AddMinutes(1));
        // The sweep runs in the host when the clock moves: wait (bounded) until it has flagged all three.
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        using (var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(100)))
        {
            while ((await admin.GetFromJsonAsync<JsonElement>("/api/supervision/overdue", cts.Token)).GetProperty("flagged").GetInt32() < 3)
                await ticker.WaitForNextTickAsync(cts.Token);
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var log = BrowserLog.Attach(page);
        page.SetDefaultTimeout(15_000);
        await log.StepAsync("sign in to the wallboard", () => Chromium.SignInAsync(page, host.HttpUrl, AdminKey, "/wallboard"));
        var lighting = page.Locator("#overdue a[data-department=lighting]");
        var hotline = page.Locator("#overdue a[data-department='']");
        await log.StepAsync("the overdue tiles", async () =>
        {
            await Expect(page.Locator("#overdue a")).ToHaveCountAsync(2, new() { Timeout = 15_000 });
            await Expect(lighting.Locator(".label")).ToHaveTextAsync("lighting", new() { Timeout = 5_000 });
            await Expect(lighting.Locator(".value")).ToHaveTextAsync("2", new() { Timeout = 5_000 });
            await Expect(lighting.Locator(".flag")).ToHaveTextAsync("2 flagged", new() { Timeout = 5_000 });
            await Expect(lighting).ToHaveAttributeAsync("href", "/orders?overdue=true&department=lighting", new() { Timeout = 5_000 });
            await Expect(hotline.Locator(".label")).ToHaveTextAsync("hotline (to dispatch)", new() { Timeout = 5_000 });
            await Expect(hotline.Locator(".value")).ToHaveTextAsync("1", new() { Timeout = 5_000 });
            await Expect(hotline.Locator(".flag")).ToHaveTextAsync("1 flagged", new() { Timeout = 5_000 });
        });
        Assert.That(log.CspViolations, Is.Empty, log.ToString());
        await page.ScreenshotAsync(new() { Path = Chromium.Screenshot("wallboard-overdue"), FullPage = true });
    }

    private static long Id(JsonElement order) => order.GetProperty("id").GetInt64();

    private static async Task SetClockAsync(HttpClient admin, DateTimeOffset at)
    {
        using var response = await admin.PostAsJsonAsync("/api/testing/clock", new { set = at });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, $"POST {path}: {(int)response.StatusCode} {text}");
        var json = JsonDocument.Parse(text).RootElement;
        return json.TryGetProperty("order", out var order) ? order.Clone() : json.Clone();
    }
}
