using System.Diagnostics;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hotline.EndToEnd.Tests.Console;

/// <summary>
/// The whole chain with nothing stood in: real AcdEngine (real redis-server) → its WatchStats stream → real TicketApi
/// → SSE → chromium. An agent's state change made through the engine's CTI API reaches the wallboard without reload.
/// </summary>
[TestFixture]
public sealed class WallboardWithEngineTests
{
    private const string AdminKey = "e2e-console-admin-key-0789";

    [Test]
    public async Task An_agent_state_change_in_the_real_engine_reaches_the_wallboard_by_push()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var engine = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["TicketApi:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Agents:0:AutoReady"] = "false",
        });
        await using var ticketApi = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string>
        {
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["AcdEngine:Url"] = engine.GrpcUrl.ToString(),
        });
        using var channel = GrpcChannel.ForAddress(engine.GrpcUrl);
        var cti = new Cti.CtiClient(channel);
        const string agent = "a1";   // src/AcdEngine/appsettings.json: agent a1, SIP user 1001, queue general
        await cti.SignInAsync(new SignInRequest { AgentId = agent, Ready = true });

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await Chromium.SignInAsync(page, ticketApi.HttpUrl, AdminKey, "/wallboard");
        var state = page.Locator($"[data-agent='{agent}'] td").Nth(1);
        await Expect(page.Locator("#engine")).ToHaveTextAsync("live", new() { Timeout = 15_000 });
        await Expect(state).ToHaveTextAsync("Ready");
        var navigations = 0;
        page.FrameNavigated += (_, frame) => { if (frame == page.MainFrame) navigations++; };

        var clock = Stopwatch.StartNew();
        await cti.SetNotReadyAsync(new NotReadyRequest { AgentId = agent, Reason = "training" });
        // The engine sends a snapshot every second (PeriodicTimer in its CtiService): up to 1 s there, then the console.
        await Expect(state).ToHaveTextAsync("Not ready (training)", new() { Timeout = 2000 });
        var shownAfter = clock.Elapsed;
        TestContext.Out.WriteLine($"wallboard (real engine): not-ready shown after {shownAfter.TotalMilliseconds:F0} ms");
        Assert.That(navigations, Is.Zero);
    }
}
