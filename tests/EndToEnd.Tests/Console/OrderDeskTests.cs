using System.Net.Http.Json;
using static Microsoft.Playwright.Assertions;

namespace Hotline.EndToEnd.Tests.Console;

public sealed partial class ConsoleTests
{
    [Test]
    public async Task A_dispatch_from_the_desk_shows_its_validation_error_then_appears_in_the_audit_trail()
    {
        var agentKey = await CreateKeyAsync("agent", "agent");
        using var agent = Client(agentKey);
        await RegisterOrderAsync(agent, "Noise from a building site after 22:00");
        // The order comes from a real answered call through the ingest, so its page has a call timeline and a recording.
        var callId = "desk-" + Guid.NewGuid().ToString("N");
        using (var channel = Grpc.Net.Client.GrpcChannel.ForAddress(_host.GrpcUrl, new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = _host.Credentials() }))
        {
            var acks = await TicketApi.TicketEvents.PublishAsync(new Contracts.V1.CallEventIngest.CallEventIngestClient(channel),
                Call(callId, DateTime.UtcNow.AddMinutes(-3), answeredAfterMs: 6000, recording: "/recordings/2026/11/" + callId + ".wav"), CancellationToken.None);
            Assert.That(acks.All(a => a.Accepted), Is.True);
        }
        var id = await WaitForOrderOfCallAsync(agent, callId);

        await Chromium.SignInAsync(_page, _host.HttpUrl, agentKey, "/orders");
        await Expect(_page.Locator($"tr[data-id='{id}']")).ToBeVisibleAsync();
        await _page.ScreenshotAsync(new() { Path = Chromium.Screenshot("orders"), FullPage = true });
        await _page.Locator($"tr[data-id='{id}'] a").ClickAsync();
        await _page.WaitForURLAsync(new Uri(_host.HttpUrl, $"/orders/{id}").ToString());

        var dispatch = _page.Locator("form[data-step=dispatch]");
        await dispatch.Locator("button[type=submit]").ClickAsync();   // no department: the API says why, next to the field
        await Expect(dispatch.Locator(".error[data-for=departmentId]")).ToContainTextAsync("departmentId");
        await Expect(_page.Locator("#status")).ToHaveTextAsync("Registered");
        await Expect(_page.Locator("#recording")).ToHaveTextAsync("Play the recording");
        Assert.That(await _page.Locator("#recording").GetAttributeAsync("href"), Is.Null);   // never a link from an event
        Assert.That(await _page.Locator("a[href*='recordings']").CountAsync(), Is.Zero);
        await Expect(_page.Locator("#timeline li")).ToHaveCountAsync(4);   // offered, queued, answered, ended

        await dispatch.Locator("input[name=departmentId]").FillAsync("roads");
        await dispatch.Locator("select[name=nature]").SelectOptionAsync("complaint");
        await dispatch.Locator("button[type=submit]").ClickAsync();
        await Expect(_page.Locator("#status")).ToHaveTextAsync("Dispatched");
        var row = _page.Locator("#audit tr[data-action=dispatch]");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("Registered → Dispatched");
        await Expect(row).ToContainTextAsync("roads");
        // A dispatched order offers a hotline agent no department step (reply, return, extension).
        await Expect(_page.Locator("form[data-step=reply]")).ToHaveCountAsync(0);
        await _page.ScreenshotAsync(new() { Path = Chromium.Screenshot("order"), FullPage = true });
    }

    private static async Task<long> WaitForOrderOfCallAsync(HttpClient http, string callId)
    {
        // The ingest commits in another process: poll the real list (no event crosses the process boundary).
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        do
        {
            var page = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/workorders?pageSize=200", cts.Token);
            foreach (var o in page.GetProperty("items").EnumerateArray())
                if (o.GetProperty("callId").GetString() == callId) return o.GetProperty("id").GetInt64();
        }
        while (await ticker.WaitForNextTickAsync(cts.Token));
        throw new TimeoutException("no order for " + callId);
    }

    [Test]
    public async Task A_department_user_cannot_open_another_departments_order()
    {
        using var agent = Client(await CreateKeyAsync("agent", "agent"));
        var roadsKey = await CreateKeyAsync("roads-desk", "department", "roads");
        var waterKey = await CreateKeyAsync("water-desk", "department", "water");
        var id = await RegisterOrderAsync(agent, "Pothole outside No. 8 Lake Street");
        await PostOkAsync(agent, $"/api/workorders/{id}/dispatch", new { departmentId = "roads" });

        await Chromium.SignInAsync(_page, _host.HttpUrl, waterKey, "/orders");
        await Expect(_page.Locator("#page-info")).ToContainTextAsync("0 orders");
        await Expect(_page.Locator($"tr[data-id='{id}']")).ToHaveCountAsync(0);
        await _page.GotoAsync(new Uri(_host.HttpUrl, $"/orders/{id}").ToString());
        await Expect(_page.Locator("#denied")).ToHaveTextAsync("You may not open this order: it belongs to another department.");
        await Expect(_page.Locator("#audit")).ToHaveCountAsync(0);
        await Expect(_page.Locator("text=Pothole")).ToHaveCountAsync(0);

        // The owning department opens it and is offered its own steps, with the reply's error shown next to the field.
        await _page.Context.ClearCookiesAsync();
        await _page.EvaluateAsync("() => sessionStorage.clear()");
        await Chromium.SignInAsync(_page, _host.HttpUrl, roadsKey, $"/orders/{id}");
        await Expect(_page.Locator("#status")).ToHaveTextAsync("Dispatched");
        var reply = _page.Locator("form[data-step=reply]");
        await reply.Locator("button[type=submit]").ClickAsync();
        await Expect(reply.Locator(".error[data-for=reply]")).Not.ToBeEmptyAsync();
        await Expect(_page.Locator("form[data-step=dispatch]")).ToHaveCountAsync(0);
    }
}
