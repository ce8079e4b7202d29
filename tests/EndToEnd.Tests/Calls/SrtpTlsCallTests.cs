using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Calls;

/// <summary>
/// Encryption in transit with real peers (issue 15). Certificates come from <c>tools/certs.sh</c> (Debian's openssl).
/// baresip (srtp.so, <c>mediaenc=srtp-mand</c>) registers over TLS as agent 1001; a second baresip calls the hotline
/// over TLS/SRTP and is answered by it. Both hear the other's tone; tcpdump on loopback sees only SRTP (the tones'
/// G.711 is not in the payloads) while the engine's recording of the call has both tones in clear.
/// Mid-call, a tampered, a replayed and a wrong-key packet sent at the engine are dropped and counted in its stats.
/// A plain-RTP offer over TLS gets 488; a plain UDP softphone still gets through (Sip:Media Optional).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class SrtpTlsCallTests
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
            await AttackedPacketsAreDroppedAndCountedAsync(pcap);
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

    /// <summary>
    /// An attacker on the path sends the engine, mid-call, a packet of a live SRTP stream with a bad tag, a replay of
    /// one it already had and one protected with another key: each is dropped and counted, and the counters are what
    /// an operator reads on <c>GET /api/sip/stats</c> (<c>srtpDropped</c>).
    /// </summary>
    private async Task AttackedPacketsAreDroppedAndCountedAsync(string pcap)
    {
        // A packet a peer sent to one of the engine's RTP ports (captured so far; tcpdump -U writes each packet).
        (int SourcePort, int DestinationPort, byte[] Payload) Inbound(List<(int SourcePort, int DestinationPort, byte[] Payload)> captured) =>
            captured.LastOrDefault(d => d.DestinationPort >= _rtpMin && d.DestinationPort < _rtpMin + 20
                && (d.SourcePort < _rtpMin || d.SourcePort >= _rtpMin + 20) && d.Payload.Length == 12 + 160 + 10
                && d.Payload[0] >> 6 == 2 && (d.Payload[1] & 0x7F) is 0 or 8); // SRTP of G.711, not SRTCP
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var sample = Inbound(Pcap.UdpDatagrams(pcap));
        while (sample.Payload is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200); // tcpdump's file, another process's: nothing to await but its next packet.
            sample = Inbound(Pcap.UdpDatagrams(pcap));
        }
        Assert.That(sample.Payload, Is.Not.Null, "an inbound SRTP packet was captured");
        var before = await SrtpDroppedAsync();

        var sequence = BinaryPrimitives.ReadUInt16BigEndian(sample.Payload.AsSpan(2));
        // Bad tag: a fresh sequence number (so it is not a replay) with the captured tag, one bit of it flipped.
        var tampered = sample.Payload.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(tampered.AsSpan(2), (ushort)(sequence + 200));
        tampered[^1] ^= 0x01;
        // Replay: the captured packet as it was (already accepted, or older than the 64-packet window).
        var replayed = sample.Payload.ToArray();
        // Wrong key: the stream's SSRC, a fresh sequence number, a payload and an HMAC-SHA1-80 tag under another key
        // (AES-CM output under an unknown key is indistinguishable from these random bytes).
        var wrongKey = sample.Payload.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(wrongKey.AsSpan(2), (ushort)(sequence + 300));
        RandomNumberGenerator.Fill(wrongKey.AsSpan(12, 160));
        var roc = new byte[4];
        using (var hmac = new HMACSHA1(RandomNumberGenerator.GetBytes(20)))
            hmac.ComputeHash([.. wrongKey.AsSpan(0, 12 + 160), .. roc]).AsSpan(0, 10).CopyTo(wrongKey.AsSpan(12 + 160));

        using var attacker = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var target = new IPEndPoint(IPAddress.Loopback, sample.DestinationPort);
        foreach (var packet in new[] { tampered, replayed, wrongKey }) await attacker.SendAsync(packet, target);

        (long Authentication, long Replays) after = before;
        deadline = DateTime.UtcNow.AddSeconds(10);
        while ((after.Authentication < before.Authentication + 2 || after.Replays < before.Replays + 1) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200); // The engine's counters, another process's: nothing to await but its next figure.
            after = await SrtpDroppedAsync();
        }
        TestContext.Out.WriteLine($"srtpDropped before {before}, after {after}");
        Assert.Multiple(() =>
        {
            Assert.That(after.Authentication - before.Authentication, Is.GreaterThanOrEqualTo(2), "bad tag and wrong key: authentication failures");
            Assert.That(after.Replays - before.Replays, Is.GreaterThanOrEqualTo(1), "the replay");
            Assert.That(_engine.Process.Output, Does.Contain("dropped a packet"), "the first drop on a leg is logged");
        });
    }

    private async Task<(long Authentication, long Replays)> SrtpDroppedAsync()
    {
        using var http = new HttpClient(_engine.Credentials()) { BaseAddress = _engine.HttpUrl };
        var stats = await http.GetFromJsonAsync<JsonElement>("/api/sip/stats");
        var dropped = stats.GetProperty("srtpDropped");
        return (dropped.GetProperty("authenticationFailures").GetInt64(), dropped.GetProperty("replays").GetInt64());
    }

    [Test]
    public async Task A_plain_rtp_offer_over_tls_gets_488_and_a_plain_udp_phone_still_gets_through()
    {
        var tone = await Sox.ToneAsync(_work, 600, 10);
        await using (var plainOverTls = Baresip.Start($"<sip:caller@127.0.0.1:{P(_tlsPort)};transport=tls>;regint=0",
            tone, 8, dial: $"sip:12345@127.0.0.1:{P(_tlsPort)};transport=tls", extraConfig: TlsConfig))
        {
            // The status code as a number of its own: a port or a tag holding the digits 488 is not the answer (run 32: a
            // line of baresip's most likely matched early, the phone was stopped before it dialed, and the engine logged no refusal).
            var line = await plainOverTls.Process.WaitForLineAsync(l => StatusCode488().IsMatch(l) || l.Contains("Call established", StringComparison.Ordinal),
                TimeSpan.FromSeconds(15));
            Assert.That(line, Does.Contain("488"), plainOverTls.Process.Output);
        }
        // The engine's log line reaches us through its stdout pipe, possibly after baresip saw the 488: await it.
        Assert.That(await _engine.Process.WaitForLineAsync(l => l.Contains("refused with 488: SRTP is required", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10)), Does.Contain("refused with 488: SRTP is required"));
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

    [GeneratedRegex("(?<![0-9])488(?![0-9])")]
    private static partial Regex StatusCode488();
}
