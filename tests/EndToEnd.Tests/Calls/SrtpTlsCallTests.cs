using System.Globalization;
using System.Text.RegularExpressions;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Calls;

/// <summary>
/// Encryption in transit with real peers (issue 15). Certificates come from <c>tools/certs.sh</c> (Debian's openssl).
/// baresip (srtp.so, <c>mediaenc=srtp-mand</c>) registers over TLS as agent 1001; a second baresip calls the hotline
/// over TLS/SRTP and is answered by it. Both hear the other's tone; tcpdump on loopback sees only SRTP (the tones'
/// G.711 is not in the payloads) while the engine's recording of the call has both tones in clear.
/// A plain-RTP offer over TLS gets 488; a plain UDP softphone still gets through (Sip:Media Optional).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SrtpTlsCallTests
{
    private string _work = null!;
    private string _certs = null!;
    private int _sipPort;
    private int _tlsPort;
    private int _rtpMin;
    private HostProcess _engine = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _work = Path.Combine(Path.GetTempPath(), "hotline-srtp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_work);
        _certs = Path.Combine(_work, "tls");
        await using (var certs = PeerProcess.Start("bash", [Path.Combine(RepoPaths.Root, "tools", "certs.sh"), _certs]))
            Assert.That(await certs.Exited.WaitAsync(TimeSpan.FromSeconds(60)), Is.Zero, certs.Output);
        _sipPort = FreePort.Next();
        _tlsPort = FreePort.Next();
        _rtpMin = FreePort.Next(20);
        _engine = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = P(_sipPort),
            ["Sip:Tls:Port"] = P(_tlsPort),
            ["Sip:Tls:CertificatePath"] = Path.Combine(_certs, "server.crt"),
            ["Sip:Tls:KeyPath"] = Path.Combine(_certs, "server.key"),
            ["Sip:Tls:CaBundlePath"] = Path.Combine(_certs, "ca.crt"),
            ["Rtp:PortMin"] = P(_rtpMin),
            ["Rtp:PortMax"] = P(_rtpMin + 19),
            ["Acd:Greeting"] = "",
            ["Acd:AnnounceEverySeconds"] = "0",
            ["Agents:1:AutoReady"] = "false",
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _engine.DisposeAsync();
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }

    private static string P(int port) => port.ToString(CultureInfo.InvariantCulture);

    private string[] TlsConfig => ["module srtp.so", $"sip_cafile {Path.Combine(_certs, "ca.crt")}"];

    [Test]
    public async Task A_tls_srtp_call_is_heard_both_ways_encrypted_on_the_wire_and_recorded_in_clear()
    {
        var callerTone = await Sox.ToneAsync(_work, 440, 30);
        var agentTone = await Sox.ToneAsync(_work, 880, 30);
        await using var agent = Baresip.Start(
            $"<sip:1001@127.0.0.1:{P(_tlsPort)};transport=tls>;auth_pass=agent1001;regint=600;answermode=auto;mediaenc=srtp-mand",
            agentTone, 40, extraConfig: TlsConfig);
        await agent.Process.WaitForLineAsync(l => l.Contains("1001@127.0.0.1", StringComparison.Ordinal) && l.Contains("{0/TLS/v4} 200 OK", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20));

        var pcap = Path.Combine(_work, "rtp.pcap");
        await using var capture = PeerProcess.Start("tcpdump", ["-i", "lo", "-U", "-w", pcap, "udp", "portrange", $"{P(_rtpMin)}-{P(_rtpMin + 19)}"]);
        await capture.WaitForLineAsync(l => l.Contains("listening on lo", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        await using (var caller = Baresip.Start($"<sip:caller@127.0.0.1:{P(_tlsPort)};transport=tls>;regint=0;mediaenc=srtp-mand",
            callerTone, 14, dial: $"sip:12345@127.0.0.1:{P(_tlsPort)};transport=tls", extraConfig: TlsConfig))
        {
            await caller.Process.WaitForLineAsync(l => l.Contains("Call established", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            await agent.Process.WaitForLineAsync(l => l.Contains("Call established", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            await caller.Process.Exited.WaitAsync(TimeSpan.FromSeconds(40));
            // The agent's dump is complete (WAV header written) once its side of the call has ended too.
            await agent.Process.WaitForLineAsync(l => l.Contains("terminated", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
            var callerHeard = await Sox.StatAsync(caller.HeardFile() ?? throw new AssertionException("caller recorded nothing: " + caller.Process.Output));
            var agentHeard = await Sox.StatAsync(agent.HeardFile() ?? throw new AssertionException("agent recorded nothing: " + agent.Process.Output));
            Assert.Multiple(() =>
            {
                Assert.That(callerHeard.Frequency, Is.InRange(820, 940), "the caller hears the agent's 880 Hz");
                Assert.That(callerHeard.Rms, Is.GreaterThan(0.1));
                Assert.That(agentHeard.Frequency, Is.InRange(400, 480), "the agent hears the caller's 440 Hz");
                Assert.That(agentHeard.Rms, Is.GreaterThan(0.1));
            });
        }
        await capture.DisposeAsync();

        // On the wire: SRTP packets (12 + 160 + 10-byte tag); decoded as if they were G.711 they hold no tone.
        var payloads = Path.Combine(_work, "payloads.ul");
        var srtp = 0;
        await using (var output = File.Create(payloads))
        {
            foreach (var datagram in Pcap.UdpPayloads(pcap).Where(d => d.Length == 12 + 160 + 10 && d[0] >> 6 == 2))
            {
                output.Write(datagram, 12, 160);
                srtp++;
            }
        }
        Assert.That(srtp, Is.GreaterThan(400), "both legs' packets, both ways, are SRTP-sized");
        var wire = await BandShareAsync(["-t", "raw", "-e", "mu-law", "-b", "8", "-r", "8000", "-c", "1", payloads]);
        // The call's recording (plain WAV at rest) has both tones.
        var recording = Directory.GetFiles(Path.Combine(_engine.DataPath, "recordings"), "*.wav", SearchOption.AllDirectories).Single();
        var recorded = await BandShareAsync([recording]);
        TestContext.Out.WriteLine($"SRTP packets {srtp}; tone share on the wire 440={wire.Low:F3} 880={wire.High:F3}; in the recording 440={recorded.Low:F3} 880={recorded.High:F3}");
        // An 80 Hz band of white noise holds about sqrt(80/4000) = 0.14 of its RMS; each of two equal tones 0.71.
        Assert.Multiple(() =>
        {
            Assert.That(wire.Low, Is.LessThan(0.25), "no 440 Hz G.711 on the wire: noise");
            Assert.That(wire.High, Is.LessThan(0.25), "no 880 Hz G.711 on the wire: noise");
            Assert.That(recorded.Low, Is.GreaterThan(0.5), "the recording has the caller's 440 Hz");
            Assert.That(recorded.High, Is.GreaterThan(0.5), "the recording has the agent's 880 Hz");
        });
    }

    [Test]
    public async Task A_plain_rtp_offer_over_tls_gets_488_and_a_plain_udp_phone_still_gets_through()
    {
        var tone = await Sox.ToneAsync(_work, 600, 10);
        await using (var plainOverTls = Baresip.Start($"<sip:caller@127.0.0.1:{P(_tlsPort)};transport=tls>;regint=0",
            tone, 8, dial: $"sip:12345@127.0.0.1:{P(_tlsPort)};transport=tls", extraConfig: TlsConfig))
        {
            var line = await plainOverTls.Process.WaitForLineAsync(l => l.Contains("488", StringComparison.Ordinal) || l.Contains("Call established", StringComparison.Ordinal),
                TimeSpan.FromSeconds(15));
            Assert.That(line, Does.Contain("488"), plainOverTls.Process.Output);
        }
        Assert.That(_engine.Process.Output, Does.Contain("refused with 488: SRTP is required"));
        // The echo test, not the queue: this test must not ring (and RONA) the agent the other test needs.
        await using var plainUdp = Baresip.Start($"<sip:caller@127.0.0.1:{P(_sipPort)};transport=udp>;regint=0",
            tone, 6, dial: $"sip:*43@127.0.0.1:{P(_sipPort)}");
        await plainUdp.Process.WaitForLineAsync(l => l.Contains("Call established", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
    }

    /// <summary>Share of the signal's RMS in a band around 440 Hz and around 880 Hz (sox sinc band-pass, then stat).</summary>
    private static async Task<(double Low, double High)> BandShareAsync(string[] input)
    {
        var all = await RmsAsync([.. input, "-n", "stat"]);
        var low = await RmsAsync([.. input, "-n", "sinc", "400-480", "stat"]);
        var high = await RmsAsync([.. input, "-n", "sinc", "840-920", "stat"]);
        return (low / all, high / all);
    }

    private static async Task<double> RmsAsync(string[] arguments)
    {
        await using var sox = PeerProcess.Start("sox", arguments);
        var line = await sox.WaitForLineAsync(l => l.Contains("RMS     amplitude", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        return double.Parse(Regex.Match(line, @"(-?[0-9.]+)\s*$").Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
