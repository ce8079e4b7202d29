using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.EndToEnd.Tests.Security;
using Hotline.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hotline.EndToEnd.Tests.Console;

/// <summary>
/// Issue 17's figure as the issue words it: "screen pop ≤ 300 ms after the agent's phone receives the INVITE (p95 over
/// 50 calls)". Nothing stood in: real AcdEngine (SIP, queue, ring) with a real redis-server, real TicketApi (the desk's
/// feed over the engine's CTI WatchAgent, server-sent events), the desk in Chromium. A raw-UDP caller calls 12345; the
/// agent's phone (<see cref="RawAgentPhone"/>, registered with digest) stamps the INVITE the moment its socket hands it
/// over; desk.js stamps the pop when it renders it (<c>window.__pops</c>, <c>Date.now()</c>). Both stamps are this
/// machine's clock; the pop is matched to the INVITE by the engine's call id (X-Hotline-Call). (The engine writes the pop
/// when it reserves the agent, just before it sends the INVITE, so a pop may even show first: a value ≤ 0.) The caller then hangs up,
/// the engine cancels the ring (the agent stays ready) and the next call comes.
/// Calls: 20 in the test command (its time is mostly the three programs starting), 50 — the issue's figure — with <c>HOTLINE_SCREEN_POP_CALLS</c>
/// (<c>tools/screen-pop-bench.sh [calls]</c>).
/// </summary>
[TestFixture]
[Category("Timing")]
[NonParallelizable]
public sealed class ScreenPopFromInviteTests
{
    private const string AdminKey = "e2e-screen-pop-invite-admin-key-0123";
    private static readonly TimeSpan HostStart = TimeSpan.FromMinutes(2);

    private static string P(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static int Calls => int.TryParse(Environment.GetEnvironmentVariable("HOTLINE_SCREEN_POP_CALLS"), out var n) && n > 0 ? n : 20;

    [Test]
    public async Task The_desk_shows_the_screen_pop_with_a_p95_under_300_ms_after_the_agents_phone_receives_the_INVITE()
    {
        await using var redis = await RedisServer.StartAsync();
        var sipPort = FreePort.Next();
        var ingestPort = FreePort.Next();
        await using var engine = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = P(sipPort),
            ["TicketApi:Url"] = $"http://127.0.0.1:{P(ingestPort)}",
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Agents:0:Name"] = "Alice Wang",
            ["Agents:1:AutoReady"] = "false",
            // Straight to the queue: no greeting, no IVR menu, no recording (what is timed starts at the agent's INVITE).
            ["Acd:Greeting"] = "",
            ["Recording:Enabled"] = "false",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        }, HostStart);
        await using var ticketApi = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{P(ingestPort)}",
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["AcdEngine:Url"] = engine.GrpcUrl.ToString(),
            ["AcdEngine:HttpUrl"] = engine.HttpUrl.ToString(),
            ["AcdEngine:ServiceKey"] = TestCredentials.ServiceKey,
            ["Serilog:MinimumLevel:Default"] = "Warning",
        }, HostStart);
        using var admin = new HttpClient { BaseAddress = ticketApi.HttpUrl };
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        using var created = await admin.PostAsJsonAsync("/api/keys", new { name = "alice", role = "agent", agentId = "a1" });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var agentKey = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;

        using var phone = new RawAgentPhone(sipPort, "1001", "agent1001");
        await phone.RegisterAsync(TimeSpan.FromSeconds(20));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var context = await browser.NewContextAsync();
        await context.AddInitScriptAsync($"sessionStorage.setItem('hotline-key', '{agentKey}')");
        var page = await context.NewPageAsync();
        var log = BrowserLog.Attach(page);
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(new Uri(ticketApi.HttpUrl, "/desk").ToString(), new() { Timeout = 60_000 });
        await Expect(page.Locator("#engine")).ToHaveTextAsync("live", new() { Timeout = 30_000 });
        await Expect(page.Locator("#state")).ToHaveTextAsync("Ready", new() { Timeout = 30_000 });

        using var caller = new RawSipPhone(IPAddress.Loopback, sipPort);
        var latencies = new List<double>();
        for (var i = 0; i < Calls; i++)
        {
            var number = "1380013" + P(8000 + i);
            var call = await caller.InviteAsync("12345", fromUser: number, TimeSpan.FromSeconds(20));
            Assert.That(call.Status, Is.EqualTo(200), call.Response);
            using var ring = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var invite = await phone.Invites.ReadAsync(ring.Token);
            Assert.That(invite.From, Does.Contain(number), "the agent's INVITE is this caller's call");
            Assert.That(invite.HotlineCallId, Is.Not.Empty, "the engine names its call in X-Hotline-Call");
            JsonElement shown;
            try
            {
                var handle = await page.WaitForFunctionAsync(
                    "id => (window.__pops || []).find(p => p.callId === id)?.shownAt", invite.HotlineCallId,
                    new() { Timeout = 20_000, PollingInterval = 10 });
                shown = await handle.JsonValueAsync<JsonElement>();
            }
            catch (TimeoutException)
            {
                Assert.Fail($"no pop for call {invite.HotlineCallId} on the desk\n{log}");
                return;
            }
            latencies.Add(shown.GetDouble() - invite.ArrivedAtUnixMs);
            await Expect(page.Locator("#pop-number")).ToHaveTextAsync(number);
            // The caller hangs up while it rings: the engine cancels the agent's INVITE and the agent stays ready.
            await caller.ByeAsync(call);
        }
        latencies.Sort();
        double Pct(double q) => latencies[(int)Math.Ceiling(q * latencies.Count) - 1];
        TestContext.Out.WriteLine($"screen pop, agent phone's INVITE received → desk shown, {Calls} calls: p50 {Pct(0.50):F0} ms, " +
            $"p95 {Pct(0.95):F0} ms, max {latencies[^1]:F0} ms; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        TestContext.Out.WriteLine("all (ms): " + string.Join(", ", latencies.Select(l => l.ToString("F0", CultureInfo.InvariantCulture))));
        Assert.That(Pct(0.95), Is.LessThanOrEqualTo(300), "issue 17: screen pop ≤ 300 ms after the agent's phone receives the INVITE (p95)");
        await context.CloseAsync();
    }
}
