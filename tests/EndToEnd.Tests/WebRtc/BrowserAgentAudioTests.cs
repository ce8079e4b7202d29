using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.EndToEnd.Tests.Console;
using Hotline.TestSupport;
using Microsoft.Playwright;

namespace Hotline.EndToEnd.Tests.WebRtc;

/// <summary>
/// Two-way audio with a browser agent (issue 18): JsSIP in Chromium registers as agent 1001 over <c>wss</c>, its fake
/// microphone playing tone B (1000 Hz); a baresip caller playing tone A (440 Hz) calls the hotline; the engine rings the
/// browser with a WebRTC offer (ICE-lite, DTLS-SRTP, rtcp-mux), the page answers, the browser's analyser hears tone A
/// and the caller's recording of what it heard holds tone B; the browser hangs up and the caller's call ends. With
/// <c>Rtp:WebRtc:Opus</c> on (turned on here; off by default) the browser leg runs Opus (RFC 7587), decoded and encoded at the engine's
/// edge; a browser offering no Opus gets G.711 (the echo test's second case).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class BrowserAgentAudioTests
{
    private const int ToneA = 440;
    private const int ToneB = 1000;
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
        _work = Path.Combine(Path.GetTempPath(), "hotline-webrtc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_work);
        var certs = Path.Combine(_work, "tls");
        await using (var tool = PeerProcess.Start("bash", [Path.Combine(RepoPaths.Root, "tools", "certs.sh"), certs]))
            Assert.That(await tool.Exited.WaitAsync(TimeSpan.FromSeconds(60)), Is.Zero, tool.Output);
        // Chromium's fake capture device plays this file (looped) as the agent's microphone.
        var toneB = Path.Combine(_work, "tone-b.wav");
        await using (var sox = PeerProcess.Start("sox", ["-n", "-r", "48000", "-b", "16", "-c", "1", toneB, "synth", "10", "sine", P(ToneB), "vol", "0.5"]))
            Assert.That(await sox.Exited.WaitAsync(TimeSpan.FromSeconds(20)), Is.Zero, sox.Output);
        _sipPort = FreePort.Next();
        _wssPort = FreePort.Next();
        var rtp = FreePort.Next(10);
        _server = new JsSipPage.Server(JsSipAnsweringPage.Html);
        _engine = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = P(_sipPort),
            ["Sip:Tls:Port"] = P(FreePort.Next()),
            ["Sip:Tls:CertificatePath"] = Path.Combine(certs, "server.crt"),
            ["Sip:Tls:KeyPath"] = Path.Combine(certs, "server.key"),
            ["Sip:WebSocket:Enabled"] = "true",
            ["Sip:WebSocket:Port"] = P(_wssPort),
            ["Sip:WebSocket:AllowedOrigins:0"] = _server.Origin,
            ["Rtp:WebRtc:Opus"] = "true", // opt-in (Concentus's CPU per packet): proven here
            ["Rtp:PortMin"] = P(rtp),
            ["Rtp:PortMax"] = P(rtp + 9),
            ["Acd:Greeting"] = "",
            ["Acd:AnnounceEverySeconds"] = "0",
            // Only the browser agent takes calls here.
            ["Agents:1:AutoReady"] = "false",
            // The caller is hung up with the agent (no post-call survey), so its last second is the browser's tone.
            ["Survey:Enabled"] = "false",
            ["Serilog:MinimumLevel:Override:Hotline.Cti.Media.MediaSession"] = "Debug",
        });
        _playwright = await Playwright.CreateAsync();
        _browser = await JsSipPage.LaunchAsync(_playwright, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            "--use-file-for-fake-audio-capture=" + toneB, "--autoplay-policy=no-user-gesture-required",
            // The engine's candidate is a loopback address: let Chromium gather loopback candidates too.
            "--allow-loopback-in-peer-connection");
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

    // browserPassive: Chromium answers our actpass with a=setup:passive (RFC 5763 §5), so the engine is the DTLS client
    // (BouncyCastle's DtlsClientProtocol; it sends the ClientHello after the browser's first ICE check).
    [TestCase(false)]
    [TestCase(true)]
    public async Task A_browser_agent_answers_a_caller_and_both_hear_each_other_until_the_browser_hangs_up(bool browserPassive)
    {
        var page = await JsSipPage.OpenAsync(_browser, _server);
        var log = BrowserLog.Attach(page);
        if (browserPassive) await page.EvaluateAsync("() => { window.passiveAnswer = true; }");
        // The engine's lines of this call only (the fixture's engine served the other tests too).
        var earlier = _engine.Process.Output.Split('\n').ToHashSet();
        string outcome = "";
        await log.StepAsync("register over wss", async () =>
            outcome = await page.EvaluateAsync<string>("([u]) => register(u, '1001', 'agent1001', '127.0.0.1')", new[] { $"wss://127.0.0.1:{P(_wssPort)}/sip" }));
        Assert.That(outcome, Is.EqualTo("registered"), log.ToString());

        var toneA = await Sox.ToneAsync(_work, ToneA, 30);
        await using var caller = Baresip.Start($"<sip:caller@127.0.0.1:{P(_sipPort)};transport=udp>;regint=0", toneA, seconds: 30,
            dial: $"sip:12345@127.0.0.1:{P(_sipPort)}");
        try
        {
            await log.StepAsync("the browser answers and receives decrypted RTP",
                () => page.WaitForFunctionAsync("() => window.firstRtpMs !== undefined || window.failed", null, new() { Timeout = 20_000 }));
        }
        finally
        {
            TestContext.Out.WriteLine("engine offer:\n" + await page.EvaluateAsync<string?>("() => window.offer"));
            TestContext.Out.WriteLine("browser answer:\n" + await page.EvaluateAsync<string?>("() => window.localSdp"));
            TestContext.Out.WriteLine("page: " + string.Join(" | ", await page.EvaluateAsync<string[]>("() => window.state")));
        }
        Assert.That(await page.EvaluateAsync<string?>("() => window.failed"), Is.Null, log.ToString());
        var browserFirstRtpMs = await page.EvaluateAsync<int>("() => window.firstRtpMs");
        var engineLine = await _engine.Process.WaitForLineAsync(l => l.Contains("first SRTP from the browser", StringComparison.Ordinal) && !earlier.Contains(l), TimeSpan.FromSeconds(10));
        TestContext.Out.WriteLine($"browser: answer → first decrypted RTP from the engine {browserFirstRtpMs} ms");
        TestContext.Out.WriteLine("engine: " + engineLine);

        // Tone A at the browser: the loudest bin of the remote track's spectrum (48 kHz / 8192 ≈ 5.9 Hz per bin).
        // The loudest bin of the remote track's spectrum (48 kHz / 8192 ≈ 5.9 Hz per bin), while packets keep coming.
        await log.StepAsync("the browser hears tone A", () => page.WaitForFunctionAsync(
            $"() => {{ const p = window.peak(); return p.db > -60 && Math.abs(p.hz - {ToneA}) < 20 && window.latest.received >= 25; }}",
            null, new() { Timeout = 10_000, PollingInterval = 50 }));
        var stats = await page.EvaluateAsync<string>("() => JSON.stringify(window.latest)");
        var sentAtTone = JsonDocument.Parse(stats).RootElement.GetProperty("sent").GetInt32();
        TestContext.Out.WriteLine($"browser: peak {await page.EvaluateAsync<string>("() => JSON.stringify(window.peak())")}, stats {stats}");
        // Opus both ways (RFC 7587): our offer put it first, Chromium's answer chose it, and getStats() says so per direction.
        var offer = await page.EvaluateAsync<string>("() => window.offer");
        var answer = await page.EvaluateAsync<string>("() => window.localSdp");
        if (browserPassive)
        {
            Assert.That(answer, Does.Contain("a=setup:passive").And.Not.Contain("a=setup:active"), "the answer Chromium applied and sent");
            var clientLine = await _engine.Process.WaitForLineAsync(l => l.Contains("we connect as the DTLS client", StringComparison.Ordinal) && !earlier.Contains(l), TimeSpan.FromSeconds(5));
            TestContext.Out.WriteLine("engine: " + clientLine);
        }
        Assert.Multiple(() =>
        {
            Assert.That(offer, Does.Match(@"m=audio \d+ UDP/TLS/RTP/SAVPF 111 0 8 110 101").And.Contain("a=rtpmap:111 opus/48000/2"));
            Assert.That(answer, Does.Match(@"m=audio \d+ UDP/TLS/RTP/SAVPF 111[ \r\n]").And.Contain("a=rtpmap:111 opus/48000/2"), "Chromium chose Opus");
            Assert.That(JsonDocument.Parse(stats).RootElement.GetProperty("inCodec").GetString(), Does.StartWith("audio/opus/48000"));
            Assert.That(JsonDocument.Parse(stats).RootElement.GetProperty("outCodec").GetString(), Does.StartWith("audio/opus/48000"));
        });
        TestContext.Out.WriteLine("engine: " + await _engine.Process.WaitForLineAsync(l => l.Contains("Opus (RFC 7587) on port", StringComparison.Ordinal), TimeSpan.FromSeconds(5)));

        // Two more seconds of the browser's tone B toward the caller (100 packets of 20 ms, counted by the browser).
        await log.StepAsync("the browser sends 2 s of tone B", () => page.WaitForFunctionAsync(
            $"() => window.latest.sent >= {sentAtTone + 100}", null, new() { Timeout = 10_000, PollingInterval = 100 }));
        await page.EvaluateAsync("() => window.hangup()");
        await log.StepAsync("the browser's call ends", () => page.WaitForFunctionAsync("() => window.ended !== undefined", null, new() { Timeout = 5_000 }));
        try
        {
            await caller.Process.WaitForLineAsync(l => Regex.IsMatch(l, "terminated|closed", RegexOptions.IgnoreCase), TimeSpan.FromSeconds(10));
        }
        finally
        {
            TestContext.Out.WriteLine("caller (baresip):\n" + string.Join('\n', caller.Process.Output.Split('\n').Where(l => !l.Contains("audio=", StringComparison.Ordinal) && l.Trim().Length > 2)));
            // The engine's view of the leg: warm-up, set-up timings, DTLS records (Debug), the legs' ends.
            TestContext.Out.WriteLine("engine:\n" + string.Join('\n', _engine.Process.Output.Split('\n')
                .Where(l => Regex.IsMatch(l, "WebRTC|DTLS|Opus|Leg |answered by|offered from", RegexOptions.None))));
        }

        var heard = caller.HeardFile();
        Assert.That(heard, Is.Not.Null, caller.Process.Output);
        var (frequency, rms) = await LastSecondAsync(heard!);
        TestContext.Out.WriteLine($"caller heard in its last second: {frequency} Hz, RMS {rms}");
        Assert.Multiple(() =>
        {
            Assert.That(rms, Is.GreaterThan(0.02), "the caller hears the browser, not silence");
            Assert.That(frequency, Is.InRange(ToneB - 60, ToneB + 60), "the caller hears tone B");
        });
        await page.Context.CloseAsync();
    }

    [TestCase(true, TestName = "A browser calling the echo number with Opus gets Opus, hears its own tone, holds and resumes")]
    [TestCase(false, TestName = "A browser calling the echo number without Opus gets PCMU, hears its own tone, holds and resumes")]
    public async Task A_browser_calling_the_echo_number_gets_our_answer_hears_its_own_tone_and_holds_and_resumes(bool opus)
    {
        // The browser offers (actpass) and the engine answers as the DTLS server (a=setup:passive): the desk's outbound path.
        var page = await JsSipPage.OpenAsync(_browser, _server);
        var log = BrowserLog.Attach(page);
        string outcome = "";
        await log.StepAsync("register over wss", async () =>
            outcome = await page.EvaluateAsync<string>("([u]) => register(u, '1001', 'agent1001', '127.0.0.1')", new[] { $"wss://127.0.0.1:{P(_wssPort)}/sip" }));
        Assert.That(outcome, Is.EqualTo("registered"), log.ToString());
        await page.EvaluateAsync("([noOpus]) => window.call('sip:*43@127.0.0.1', noOpus)", new object[] { !opus });
        try
        {
            await log.StepAsync("the engine answers and its RTP is decrypted",
                () => page.WaitForFunctionAsync("() => window.firstRtpMs !== undefined || window.failed", null, new() { Timeout = 20_000 }));
        }
        finally
        {
            TestContext.Out.WriteLine("engine answer:\n" + await page.EvaluateAsync<string?>("() => window.remoteSdp"));
            TestContext.Out.WriteLine("page: " + string.Join(" | ", await page.EvaluateAsync<string[]>("() => window.state")));
        }
        Assert.That(await page.EvaluateAsync<string?>("() => window.failed"), Is.Null, log.ToString());
        Assert.That(await page.EvaluateAsync<string>("() => window.remoteSdp"), Does.Contain("a=setup:passive"));
        TestContext.Out.WriteLine($"browser (caller): 200 OK → first decrypted RTP {await page.EvaluateAsync<int>("() => window.firstRtpMs")} ms");
        await log.StepAsync("the browser hears its own tone B back", () => page.WaitForFunctionAsync(
            $"() => {{ const p = window.peak(); return p.db > -60 && Math.abs(p.hz - {ToneB}) < 20 && window.latest.received >= 25; }}",
            null, new() { Timeout = 10_000, PollingInterval = 50 }));
        // The engine's answer chose Opus from the browser's offer (RFC 7587), or PCMU when the offer had no Opus.
        var echoStats = JsonDocument.Parse(await page.EvaluateAsync<string>("() => JSON.stringify(window.latest)")).RootElement;
        TestContext.Out.WriteLine($"browser: codecs in {echoStats.GetProperty("inCodec")}, out {echoStats.GetProperty("outCodec")}");
        var expected = opus ? "audio/opus/48000" : "audio/PCMU/8000";
        var engineAnswer = await page.EvaluateAsync<string>("() => window.remoteSdp");
        Assert.Multiple(() =>
        {
            Assert.That(engineAnswer, Does.Contain(opus ? "opus/48000/2" : "a=rtpmap:0 PCMU/8000").And.Not.Contain(opus ? "PCMU" : "opus"));
            Assert.That(echoStats.GetProperty("inCodec").GetString(), Does.StartWith(expected));
            Assert.That(echoStats.GetProperty("outCodec").GetString(), Does.StartWith(expected));
        });

        // Hold from the browser (JsSIP re-INVITE a=sendonly, same ICE and DTLS): the engine answers recvonly and keeps the
        // running transport; resume (sendrecv) brings the echo back without a new handshake.
        // JsSIP emits 'hold' when it sends the re-INVITE, not when the answer arrives: wait for the answer itself.
        await log.StepAsync("hold", () => page.EvaluateAsync("() => window.session.hold()"));
        await log.StepAsync("the engine answers the hold recvonly (RFC 3264 §8.4)", () => page.WaitForFunctionAsync(
            "() => (window.remoteSdp || '').includes('a=recvonly')", null, new() { Timeout = 10_000, PollingInterval = 50 }));
        await log.StepAsync("resume", () => page.EvaluateAsync("() => new Promise(r => { window.session.once('unhold', () => r()); window.session.unhold(); })"));
        var resumedAt = await page.EvaluateAsync<int>("() => window.latest.received");
        await log.StepAsync("the echo comes back after resume", () => page.WaitForFunctionAsync(
            $"() => {{ const p = window.peak(); return window.latest.received >= {resumedAt + 25} && p.db > -60 && Math.abs(p.hz - {ToneB}) < 20; }}",
            null, new() { Timeout = 10_000, PollingInterval = 50 }));
        Assert.That(await page.EvaluateAsync<string>("() => window.state.join(' | ')"), Does.Not.Contain("connection: new"), "no new DTLS/ICE after hold");

        await page.EvaluateAsync("() => window.hangup()");
        await log.StepAsync("the call ends", () => page.WaitForFunctionAsync("() => window.ended !== undefined", null, new() { Timeout = 5_000 }));
        await page.Context.CloseAsync();
    }

    /// <summary>(rough frequency, RMS) of the last second of a WAV (sox <c>trim -1 stat</c>).</summary>
    private static async Task<(double Frequency, double Rms)> LastSecondAsync(string file)
    {
        await using var sox = PeerProcess.Start("sox", [file, "-n", "trim", "-1", "stat"]);
        await sox.WaitForLineAsync(l => l.Contains("Rough   frequency", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        return (Field(sox.Output, "Rough   frequency"), Field(sox.Output, "RMS     amplitude"));
    }

    private static double Field(string output, string name)
    {
        var m = Regex.Match(output, Regex.Escape(name) + @":\s*(-?[0-9.]+)");
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
    }
}
