using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.EndToEnd.Tests.Console;
using Hotline.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hotline.EndToEnd.Tests.WebRtc;

/// <summary>
/// The desk's phone (issue 18), nothing stood in: real AcdEngine (SIP over wss, WebRTC media), real TicketApi (desk feed
/// over the engine's CTI with the Service key), the desk page in Chromium (fake microphone playing a tone) and a baresip
/// caller. The agent connects the desk's phone with the SIP password typed in the page; the caller calls the hotline; the
/// desk shows the screen pop and rings; Answer; the caller's audio arrives in the page (decrypted SRTP counted by
/// getStats); Hang up ends the call at the caller too.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class DeskPhoneTests
{
    private const string AdminKey = "e2e-desk-phone-admin-key-4711";
    private const string CallerNumber = "13800138066";
    private const string SipPassword = "agent1001";
    private string _work = null!;
    private int _sipPort;
    private int _wssPort;
    private int _gatewayPort;
    private HostProcess _engine = null!;
    private HostProcess _ticketApi = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private static readonly TimeSpan HostStart = TimeSpan.FromMinutes(2);

    private static string P(int n) => n.ToString(CultureInfo.InvariantCulture);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _work = Path.Combine(Path.GetTempPath(), "hotline-deskphone-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_work);
        var certs = Path.Combine(_work, "tls");
        await using (var tool = PeerProcess.Start("bash", [Path.Combine(RepoPaths.Root, "tools", "certs.sh"), certs]))
            Assert.That(await tool.Exited.WaitAsync(TimeSpan.FromSeconds(60)), Is.Zero, tool.Output);
        var microphone = Path.Combine(_work, "tone-b.wav");
        await using (var sox = PeerProcess.Start("sox", ["-n", "-r", "48000", "-b", "16", "-c", "1", microphone, "synth", "10", "sine", "1000", "vol", "0.5"]))
            Assert.That(await sox.Exited.WaitAsync(TimeSpan.FromSeconds(20)), Is.Zero, sox.Output);
        _sipPort = FreePort.Next();
        _wssPort = FreePort.Next();
        var ingestPort = FreePort.Next();
        var deskUrl = $"http://127.0.0.1:{P(FreePort.Next())}"; // The desk's origin, the one page origin the engine allows.
        var rtp = FreePort.Next(10);
        _gatewayPort = FreePort.Next(2); // A baresip "gateway" listens here when a test dials out (DeskPhoneTests.Outbound.cs).
        var engineHttp = FreePort.Next();
        var engineGrpc = $"http://127.0.0.1:{P(FreePort.Next())}";
        // Side by side: each one's client toward the other retries every second until the other listens.
        var hosts = await HostProcess.StartHealthyTogetherAsync(HostStart, ("AcdEngine", new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{P(engineHttp)}",
            ["Kestrel:Endpoints:Grpc:Url"] = engineGrpc,
            ["Sip:Port"] = P(_sipPort),
            ["Sip:Tls:Port"] = P(FreePort.Next()),
            ["Sip:Tls:CertificatePath"] = Path.Combine(certs, "server.crt"),
            ["Sip:Tls:KeyPath"] = Path.Combine(certs, "server.key"),
            ["Sip:WebSocket:Enabled"] = "true",
            ["Sip:WebSocket:Port"] = P(_wssPort),
            ["Sip:WebSocket:AllowedOrigins:0"] = deskUrl,
            ["Rtp:PortMin"] = P(rtp),
            ["Rtp:PortMax"] = P(rtp + 9),
            ["TicketApi:Url"] = $"http://127.0.0.1:{P(ingestPort)}",
            ["Acd:Greeting"] = "",
            ["Acd:AnnounceEverySeconds"] = "0",
            ["Agents:0:Name"] = "Alice Wang",
            // Only the browser agent (a1, SIP user 1001, ready on registration) takes calls here.
            ["Agents:1:AutoReady"] = "false",
            // The caller is hung up with the agent (no post-call survey).
            ["Survey:Enabled"] = "false",
            // The agent is Ready again soon after each test's call (an outbound call needs a Ready agent).
            ["Acd:WrapUpSeconds"] = "1",
            ["Outbound:Gateway"] = $"sip:127.0.0.1:{P(_gatewayPort)}",
            ["Conference:RingTimeoutSeconds"] = "8",
        }), ("TicketApi", new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Http:Url"] = deskUrl,
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{P(ingestPort)}",
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["AcdEngine:Url"] = engineGrpc,
            ["AcdEngine:HttpUrl"] = $"http://127.0.0.1:{P(engineHttp)}",
            ["AcdEngine:ReconnectMaxSeconds"] = "1",
            ["AcdEngine:ServiceKey"] = TestCredentials.ServiceKey,
            ["Desk:Phone:WebSocketUrl"] = $"wss://127.0.0.1:{P(_wssPort)}/sip",
            ["Desk:Phone:Users:a1"] = "1001",
            ["Desk:Departments:0:Id"] = "water",
            ["Desk:Departments:0:Name"] = "Water company",
            ["Desk:Departments:0:Code"] = "1",
        }));
        (_engine, _ticketApi) = (hosts[0], hosts[1]);
        _playwright = await Playwright.CreateAsync();
        // Both origins are loopback (desk http://127.0.0.1, engine wss://127.0.0.1): Chromium's Local Network Access
        // checks let the page open the WebSocket. The engine's test certificate is from a CA Chromium does not know.
        _browser = await JsSipPage.LaunchAsync(_playwright, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            "--use-file-for-fake-audio-capture=" + microphone, "--autoplay-policy=no-user-gesture-required",
            "--allow-loopback-in-peer-connection");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_ticketApi is not null) await _ticketApi.DisposeAsync();
        if (_engine is not null) await _engine.DisposeAsync();
        try { Directory.Delete(_work, recursive: true); }
        catch (IOException) { }
    }

    private async Task<string> AgentKeyAsync(string name)
    {
        using var admin = new HttpClient { BaseAddress = _ticketApi.HttpUrl };
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var response = await admin.PostAsJsonAsync("/api/keys", new { name, role = "agent", agentId = "a1" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private async Task<IPage> OpenDeskAsync(IBrowser browser, string key)
    {
        var context = await browser.NewContextAsync(new() { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        SetDefaultExpectTimeout(20_000);
        await page.GotoAsync(new Uri(_ticketApi.HttpUrl, "/?next=" + Uri.EscapeDataString("/desk")).ToString());
        await page.FillAsync("#key", key);
        await page.ClickAsync("button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Uri(_ticketApi.HttpUrl, "/desk").ToString());
        return page;
    }

    /// <summary>
    /// A browser that refuses the microphone (no fake permission UI: headless Chromium denies the request): the panel
    /// says so in words at Connect, before any caller waits, and does not register.
    /// </summary>
    [Test]
    public async Task A_refused_microphone_is_said_at_connect_and_nothing_registers()
    {
        var key = await AgentKeyAsync("alice-phone-refused");
        await using var browser = await JsSipPage.LaunchAsync(_playwright, "--use-fake-device-for-media-stream");
        var page = await OpenDeskAsync(browser, key);
        await page.FillAsync("#phone-password", SipPassword);
        await page.ClickAsync("#phone-connect-button");
        await Expect(page.Locator("#phone-error")).ToContainTextAsync("Microphone refused");
        await Expect(page.Locator("#phone-status")).ToHaveTextAsync("no microphone");
        await Expect(page.Locator("#phone-connect")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task The_agent_takes_a_call_on_the_desks_phone_rings_with_the_pop_answers_hears_the_caller_and_hangs_up()
    {
        var key = await AgentKeyAsync("alice-phone");
        var page = await OpenDeskAsync(_browser, key);
        var log = BrowserLog.Attach(page);

        // The phone: SIP user pre-filled from Desk:Phone:Users, the password typed by the agent.
        await Expect(page.Locator("#phone")).ToBeVisibleAsync();
        await Expect(page.Locator("#phone-user")).ToHaveValueAsync("1001");
        await page.FillAsync("#phone-password", SipPassword);
        await page.ClickAsync("#phone-connect-button");
        await log.StepAsync("the phone registers", () => Expect(page.Locator("#phone-status")).ToHaveTextAsync("ready"));
        Assert.That(await page.InputValueAsync("#phone-password"), Is.Empty, "the password does not stay in the form");

        var toneA = await Sox.ToneAsync(_work, CallerTone, 30); // not 440 Hz: see CallerTone
        await using var caller = Baresip.Start($"<sip:{CallerNumber}@127.0.0.1:{P(_sipPort)};transport=udp>;regint=0", toneA, seconds: 30,
            dial: $"sip:12345@127.0.0.1:{P(_sipPort)}");
        await log.StepAsync("the desk rings with the screen pop", async () =>
        {
            await Expect(page.Locator("#phone-status")).ToHaveTextAsync("ringing");
            await Expect(page.Locator("#pop-number")).ToHaveTextAsync(CallerNumber);
            await Expect(page.Locator("#phone-answer")).ToBeEnabledAsync();
        });

        await page.ClickAsync("#phone-answer");
        await log.StepAsync("answered", () => Expect(page.Locator("#phone-status")).ToHaveTextAsync("talking"));
        // The caller's audio arrives: authenticated SRTP packets counted by getStats (50 = one second of 20 ms packets),
        // played by the page's <audio> element.
        // (getStats is asynchronous, and Playwright's WaitForFunction takes a promise for a truthy value: polled from here.)
        var (received, sent) = (0, 0);
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        using (var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(100)))
        {
            while (received < 50 && await ticker.WaitForNextTickAsync(deadline.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully))
            {
                var stats = JsonDocument.Parse(await page.EvaluateAsync<string>("async () => JSON.stringify(await window.__phone.stats())")).RootElement;
                (received, sent) = (stats.GetProperty("received").GetInt32(), stats.GetProperty("sent").GetInt32());
            }
        }
        TestContext.Out.WriteLine($"desk phone: {received} packets received, {sent} sent");
        Assert.That(received, Is.GreaterThanOrEqualTo(50), "the caller's audio arrives (decrypted SRTP)\n" + log);
        Assert.That(sent, Is.GreaterThan(0), "the microphone is sent");
        Assert.That(await page.EvaluateAsync<bool>("() => document.getElementById('phone-audio').srcObject instanceof MediaStream"), Is.True);

        // Keys on the desk's pad during the call reach the engine as RFC 4733 events (DeskPhoneTests.ThreeWay.cs).
        await ListenAsync(page);
        await KeyAnUnknownConsultCodeAsync(page, log);

        // Hold (JsSIP re-INVITE a=sendonly, answered recvonly by the engine) and resume; mute and unmute (local track).
        await page.ClickAsync("#phone-hold");
        await log.StepAsync("on hold", () => Expect(page.Locator("#phone-status")).ToHaveTextAsync("on hold"));
        await page.ClickAsync("#phone-hold");
        await log.StepAsync("resumed", () => Expect(page.Locator("#phone-status")).ToHaveTextAsync("talking"));
        // Hold and Resume pressed in one go, before the engine has answered the hold's re-INVITE: JsSIP refuses a second
        // re-INVITE meanwhile, and the Resume used to be lost (run 56); the desk keeps it and sends it after the first.
        await page.EvaluateAsync("() => { const b = document.getElementById('phone-hold'); b.click(); b.click(); }");
        await log.StepAsync("held and resumed at once", () => Expect(page.Locator("#phone-status")).ToHaveTextAsync("talking"));
        await page.ClickAsync("#phone-mute");
        await Expect(page.Locator("#phone-mute")).ToHaveTextAsync("Unmute");
        await page.ClickAsync("#phone-mute");
        await Expect(page.Locator("#phone-mute")).ToHaveTextAsync("Mute");

        await page.ClickAsync("#phone-hangup");
        await log.StepAsync("the call ends in the page", () => Expect(page.Locator("#phone-status")).ToHaveTextAsync("ready"));
        await caller.Process.WaitForLineAsync(l => Regex.IsMatch(l, "terminated|closed", RegexOptions.IgnoreCase), TimeSpan.FromSeconds(10));
        Assert.That(await page.Locator("#phone-error").TextContentAsync(), Is.Empty, log.ToString());
        await page.Context.CloseAsync();
    }
}
