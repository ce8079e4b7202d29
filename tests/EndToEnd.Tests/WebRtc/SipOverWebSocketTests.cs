using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.EndToEnd.Tests.Console;
using Hotline.TestSupport;
using Microsoft.Playwright;

namespace Hotline.EndToEnd.Tests.WebRtc;

/// <summary>
/// SIP over WebSocket (RFC 7118, issue 18) with a real browser stack: JsSIP in Chromium registers as agent 1001 over
/// <c>wss</c> to the engine (certificate from tools/certs.sh), the registrar records the browser's <c>transport=ws</c>
/// Contact, a wrong password is refused, and a call from a sipp caller rings the browser over the very connection it
/// registered on (its flow: the browser's Contact host is a made-up <c>.invalid</c> name no one could connect to).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SipOverWebSocketTests
{
    private string _work = null!;
    private int _sipPort;
    private int _wssPort;
    private HostProcess _engine = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private JsSipPage.Server _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _work = Path.Combine(Path.GetTempPath(), "hotline-wss-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_work);
        var certs = Path.Combine(_work, "tls");
        await using (var tool = PeerProcess.Start("bash", [Path.Combine(RepoPaths.Root, "tools", "certs.sh"), certs]))
            Assert.That(await tool.Exited.WaitAsync(TimeSpan.FromSeconds(60)), Is.Zero, tool.Output);
        _sipPort = FreePort.Next();
        _wssPort = FreePort.Next();
        var rtp = FreePort.Next(10);
        TestContext.Progress.WriteLine("wss: certificates made; starting the engine");
        _server = new JsSipPage.Server(); // Its origin is the one page origin the engine allows.
        _engine = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = P(_sipPort),
            ["Sip:Tls:Port"] = P(FreePort.Next()),
            ["Sip:Tls:CertificatePath"] = Path.Combine(certs, "server.crt"),
            ["Sip:Tls:KeyPath"] = Path.Combine(certs, "server.key"),
            ["Sip:WebSocket:Enabled"] = "true",
            ["Sip:WebSocket:Port"] = P(_wssPort),
            ["Sip:WebSocket:Path"] = "/sip",
            ["Sip:WebSocket:AllowedOrigins:0"] = _server.Origin,
            ["Rtp:PortMin"] = P(rtp),
            ["Rtp:PortMax"] = P(rtp + 9),
            ["Acd:Greeting"] = "",
            ["Acd:AnnounceEverySeconds"] = "0",
        });
        TestContext.Progress.WriteLine("wss: engine up; starting Chromium");
        _playwright = await Playwright.CreateAsync();
        _browser = await JsSipPage.LaunchAsync(_playwright);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _browser.DisposeAsync();
        _server.Dispose();
        _playwright.Dispose();
        await _engine.DisposeAsync();
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }

    private static string P(int port) => port.ToString(CultureInfo.InvariantCulture);

    private string WssUrl => $"wss://127.0.0.1:{P(_wssPort)}/sip";

    [Test]
    public async Task JsSip_in_chromium_registers_over_wss_and_is_rung_over_its_own_connection()
    {
        var page = await JsSipPage.OpenAsync(_browser, _server);
        var log = BrowserLog.Attach(page);
        TestContext.Progress.WriteLine("wss: page open");
        string outcome = "";
        await log.StepAsync("register over wss", async () =>
            outcome = await page.EvaluateAsync<string>("([u, p]) => register(u, '1001', 'agent1001', '127.0.0.1')", new[] { WssUrl, "" }));
        Assert.That(outcome, Is.EqualTo("registered"), log.ToString());
        TestContext.Out.WriteLine($"JsSIP: TLS + WebSocket upgrade + REGISTER/401/REGISTER/200 in {await page.EvaluateAsync<int>("() => window.registeredAfterMs")} ms");

        var binding = (await RegistrationsAsync()).Single(b => b.GetProperty("user").GetString() == "1001");
        var contact = binding.GetProperty("contact").GetString()!;
        var source = binding.GetProperty("source").GetString()!;
        TestContext.Out.WriteLine($"binding: {contact} from {source}");
        Assert.Multiple(() =>
        {
            Assert.That(contact, Does.Contain("transport=ws"), "RFC 7118 §5.2 Contact");
            Assert.That(contact, Does.Contain(".invalid"), "JsSIP's made-up host: reachable only over its connection");
            Assert.That(source, Does.StartWith("WSS:127.0.0.1:"), "registered over the secure WebSocket");
        });

        // A caller on UDP: the engine rings agent 1001, whose only way in is the browser's WebSocket (its flow).
        await using var caller = SippPeer.Start(_sipPort, FreePort.Next(), ["-sn", "uac", "-s", "12345"], "-m", "1", "-d", "20000");
        await log.StepAsync("the browser is rung", () => page.WaitForFunctionAsync("() => window.incoming.length > 0", null, new() { Timeout = 30_000 }));
        var via = await page.EvaluateAsync<string>("() => window.incoming[0].via");
        TestContext.Out.WriteLine("INVITE Via at the browser: " + via);
        Assert.That(via, Does.StartWith("SIP/2.0/WSS 127.0.0.1:" + P(_wssPort)), "our Via names the WSS transport and its port");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_wrong_password_over_wss_is_refused_and_binds_nothing()
    {
        var page = await JsSipPage.OpenAsync(_browser, _server);
        var log = BrowserLog.Attach(page);
        string outcome = "";
        await log.StepAsync("register with a wrong password", async () =>
            outcome = await page.EvaluateAsync<string>("([u, p]) => register(u, '1002', 'not-the-password', '127.0.0.1')", new[] { WssUrl, "" }));
        Assert.That(outcome, Does.StartWith("failed:"), log.ToString());
        Assert.That((await RegistrationsAsync()).Any(b => b.GetProperty("user").GetString() == "1002"), Is.False, "no binding for a refused REGISTER");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task The_upgrade_without_the_sip_subprotocol_or_on_another_path_is_refused()
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        foreach (var (path, protocol, expected) in new[] { ("/sip", "chat", 400), ("/other", "sip", 404) })
        {
            using var ws = new System.Net.WebSockets.ClientWebSocket();
            ws.Options.AddSubProtocol(protocol);
            ws.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            ws.Options.CollectHttpResponseDetails = true;
            var e = Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => ws.ConnectAsync(new Uri($"wss://127.0.0.1:{P(_wssPort)}{path}"), CancellationToken.None));
            Assert.That((int)ws.HttpStatusCode, Is.EqualTo(expected), e!.Message);
        }
    }

    [Test]
    public async Task A_page_of_another_origin_cannot_open_the_connection_even_with_the_right_password()
    {
        // RFC 6455 §10.2: the browser names the page's origin; only the desk's (Sip:WebSocket:AllowedOrigins) may connect.
        using var elsewhere = new JsSipPage.Server(); // another port: another origin
        var page = await JsSipPage.OpenAsync(_browser, elsewhere);
        var log = BrowserLog.Attach(page);
        string outcome = "";
        await log.StepAsync("register from another origin", async () =>
            outcome = await page.EvaluateAsync<string>("([u, p]) => register(u, '1002', 'agent1002', '127.0.0.1')", new[] { WssUrl, "" }));
        Assert.That(outcome, Is.EqualTo("disconnected"), log.ToString());
        Assert.That((await RegistrationsAsync()).Any(b => b.GetProperty("user").GetString() == "1002"), Is.False, "nothing bound from that page");
        await page.Context.CloseAsync();

        // The same upgrade outside a browser: an Origin not listed gets 403; none at all (a softphone) is let through to digest.
        foreach (var (origin, expected) in new[] { ("https://evil.example", 403), (null, 101) })
        {
            using var ws = new System.Net.WebSockets.ClientWebSocket();
            ws.Options.AddSubProtocol("sip");
            ws.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            ws.Options.CollectHttpResponseDetails = true;
            if (origin is not null) ws.Options.SetRequestHeader("Origin", origin);
            var connect = ws.ConnectAsync(new Uri(WssUrl), CancellationToken.None);
            if (expected == 101) await connect;
            else Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => connect);
            Assert.That((int)ws.HttpStatusCode, Is.EqualTo(expected), origin ?? "no Origin");
        }
        Assert.That(_engine.Process.Output, Does.Contain("origin https://evil.example not allowed"), "the refusal is logged with its reason");
    }

    private async Task<List<JsonElement>> RegistrationsAsync()
    {
        using var http = new HttpClient { BaseAddress = _engine.HttpUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestCredentials.EngineAdminKey);
        using var doc = JsonDocument.Parse(await http.GetStringAsync("/api/sip/registrations"));
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }
}
