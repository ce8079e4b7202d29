using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Hotline.Cti.Media;
using Hotline.Cti.Media.Clock;
using Microsoft.Extensions.Logging.Abstractions;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Mixing;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Sources;
using Hotline.Cti.Media.Srtp;
using Hotline.MediaBench;

// Usage: MediaBench [--streams 500,1000,2000] [--mixes 300] [--seconds 15] [--sounds DIR] [--ports 40000-49999]
//                   [--threads N] [--phases 4] [--send best|portable|linux] [--srtp off|on|both]
//                   [--rtpengine 127.0.0.1:PORT --rtpengine-pid PID]   [--frame-cost N: the source side of a packet only]
//                   [--webrtc N [--handshakes 4] [--talk on|off] [--opus on]] [--shared-receive on|off]
//                   [--opus-cost N [--opus-bitrate 24000]]
// For each stream count: that many sessions playing hold music to UDP sinks on loopback, driven by the one media
// clock (--srtp on: SDES-keyed SRTP, AES_CM_128_HMAC_SHA1_80, every packet protected on the clock thread; both: the
// plain run, then the SRTP run, for each count). Then (if --mixes) that many three-party mixes whose parties send a
// tone each. Prints one row per run.
var args2 = Args.Parse(args);
var sounds = args2.Get("sounds", Path.Combine(FindRoot(), "sounds"));
var seconds = int.Parse(args2.Get("seconds", "15"), CultureInfo.InvariantCulture);
var perSink = int.Parse(args2.Get("per-sink", "500"), CultureInfo.InvariantCulture);
var parallelism = int.Parse(args2.Get("threads", "0"), CultureInfo.InvariantCulture);
var phases = int.Parse(args2.Get("phases", MediaClock.DefaultPhases.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
var sendPath = args2.Get("send", "best") switch
{
    "portable" => RtpSendPath.Portable,
    "linux" => RtpSendPath.LinuxSendTo,
    _ => RtpSendBatch.BestPath,
};
var ports = args2.Get("ports", "40000-49999").Split('-');
var options = new RtpOptions
{
    PortMin = int.Parse(ports[0], CultureInfo.InvariantCulture),
    PortMax = int.Parse(ports[1], CultureInfo.InvariantCulture),
    InactivityTimeoutSeconds = 0,
    // --shared-receive off: a receive loop per socket on the thread pool (the build before issue 22's receive threads).
    SharedReceive = args2.Get("shared-receive", "on") != "off",
};
var srtpModes = args2.Get("srtp", "off") switch
{
    "on" => new[] { true },
    "both" => [false, true],
    _ => [false],
};
var library = new SoundLibrary(sounds);
// --rtpengine 127.0.0.1:2223 --rtpengine-pid N: every stream relayed through rtpengine (the anchor for CPU per relayed
// RTP packet; plain RTP only); its CPU per packet relayed is printed beside the engine's.
using var relay = args2.Get("rtpengine", "") is { Length: > 0 } ng
    ? RtpengineNg.Parse(ng, int.Parse(args2.Get("rtpengine-pid", "0"), CultureInfo.InvariantCulture)) : null;
var runNumber = 0;
if (args2.Get("frame-cost", "") is { Length: > 0 } players)
{
    FrameCost.Run(library, int.Parse(players, CultureInfo.InvariantCulture));
    return 0;
}
if (args2.Get("opus-cost", "") is { Length: > 0 } opusFrames)
{
    OpusCost.Run(library, int.Parse(opusFrames, CultureInfo.InvariantCulture), int.Parse(args2.Get("opus-bitrate", "24000"), CultureInfo.InvariantCulture));
    return 0;
}
Console.WriteLine($"# MediaBench: {Environment.ProcessorCount} cores, {seconds} s per run, .NET {Environment.Version}, {phases} phase(s), send path {sendPath}, receive {(options.SharedReceive ? "shared epoll threads" : "a loop per socket")}, load average {LoadAverage()}");
Console.WriteLine("| load | streams | send p50 ms | send p99 ms | send max ms | wake p99 ms | skipped ticks | pkts sent | send errors | pkts lost | CPU %/call | CPU % total | CPU µs/pkt | clock µs/pkt | sink µs/pkt | other µs/pkt | process alloc B/pkt | clock-thread alloc B | load avg | steal % | pkts received | receive µs/pkt received |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
if (args2.Get("webrtc", "") is { Length: > 0 } webRtcLegs)
{
    await RunWebRtc(int.Parse(webRtcLegs, CultureInfo.InvariantCulture),
        int.Parse(args2.Get("handshakes", "4"), CultureInfo.InvariantCulture), args2.Get("talk", "on") != "off", args2.Get("opus", "off") == "on");
    return 0;
}
foreach (var n in args2.Get("streams", "500,1000,2000").Split(',', StringSplitOptions.RemoveEmptyEntries))
{
    foreach (var srtp in srtpModes) await RunHoldMusic(int.Parse(n, CultureInfo.InvariantCulture), srtp);
}
var mixes = int.Parse(args2.Get("mixes", "0"), CultureInfo.InvariantCulture);
if (mixes > 0) await RunMixes(mixes);
return 0;

async Task RunHoldMusic(int count, bool srtp)
{
    await using var clock = new MediaClock(TimeProvider.System, NullLogger<MediaClock>.Instance, parallelism, options.RealtimeClock, phases, sendPath);
    clock.Start();
    await using var engine = new MediaEngine(options, TimeProvider.System, clock: clock);
    var sinks = Enumerable.Range(0, Math.Max(1, count / perSink)).Select(_ => new UdpSink()).ToArray();
    var sessions = new List<MediaSession>(count);
    for (var i = 0; i < count; i++)
    {
        var session = engine.CreateSession();
        var sink = sinks[i % sinks.Length];
        var callId = $"mediabench-{Environment.ProcessId}-{runNumber}-{i}";
        var answer = srtp
            ? engine.CreateSdp(session, SrtpPolicy.Srtp).Answer(SrtpOffer(sink.EndPoint.Port))
            : engine.CreateSdp(session).Answer(relay?.Offer(callId, Offer(sink.EndPoint.Port)) ?? Offer(sink.EndPoint.Port));
        session.Apply(answer.Media ?? throw new InvalidOperationException(answer.RejectReason));
        if (relay is not null && !srtp) relay.Answer(callId, answer.AnswerSdp!);
        session.Start();
        _ = session.PlayAsync(library.HoldMusic(i));
        sessions.Add(session);
    }
    runNumber++;
    if (srtp && !sessions.All(s => s.IsEncrypted)) throw new InvalidOperationException("SRTP was not negotiated");
    var row = await Measure(engine, srtp ? "SRTP hold music" : "hold music", count, sinks, () => sessions.Sum(s => s.Statistics.PacketsSent), () => sessions.Sum(s => s.Statistics.SendErrors));
    Console.WriteLine(row);
    foreach (var s in sessions) await s.DisposeAsync();
    foreach (var s in sinks) s.Dispose();
}

// --webrtc N: N browser-class legs end to end (WebRtcBrowsers): each an engine session negotiated as WebRTC
// (our offer UDP/TLS/RTP/SAVPF, ICE-lite, DTLS-SRTP, as SipTelephony rings a browser), answered by a bench browser that
// checks ICE with USE-CANDIDATE, runs the DTLS client handshake, and unprotects the engine's SRTP hold music (and,
// with --talk on, sends SRTP back). At most --handshakes handshakes at a time. The measuring window starts after
// every leg has its keys on both sides (Measure's 3 s warm-up, then --seconds).
async Task RunWebRtc(int count, int concurrency, bool talk, bool opus)
{
    await using var clock = new MediaClock(TimeProvider.System, NullLogger<MediaClock>.Instance, parallelism, options.RealtimeClock, phases, sendPath);
    clock.Start();
    await using var engine = new MediaEngine(options, TimeProvider.System, clock: clock);
    await engine.WarmUpWebRtcAsync(); // as the engine does at start with Sip:WebSocket:Enabled
    using var browsers = new WebRtcBrowsers(Math.Max(1, count / perSink), opus);
    var sessions = new List<MediaSession>(count);
    for (var i = 0; i < count; i++)
    {
        var session = engine.CreateSession();
        var sdp = engine.CreateSdp(session, webRtc: true);
        var leg = browsers.Add(sdp.CreateOffer());
        var answer = sdp.AcceptAnswer(leg.AnswerSdp);
        session.Apply(answer.Media ?? throw new InvalidOperationException(answer.RejectReason));
        session.Start();
        _ = session.PlayAsync(library.HoldMusic(i));
        sessions.Add(session);
    }
    if (!sessions.All(s => s.IsWebRtc)) throw new InvalidOperationException("WebRTC was not negotiated");
    if (opus && !sessions.All(s => s.Media!.IsOpus)) throw new InvalidOperationException("Opus was not negotiated");
    browsers.StartReceiving();
    clock.SendLateness.Reset();
    var phase = Stopwatch.StartNew();
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    // BouncyCastle's handshakes allocate (certificates, EC points, records): the GCs they cause pause every managed
    // thread, the clock lanes included, so the set-up line says how long the runtime was paused.
    var gcPause0 = GC.GetTotalPauseDuration();
    var gcCount0 = GC.CollectionCount(0);
    var finished = browsers.Handshake(concurrency, TimeSpan.FromSeconds(120));
    // The engine's side completes on its own handshake thread: wait until every keyed leg has a destination.
    var keyed = Enumerable.Range(0, count).Where(i => browsers.Legs[i].TimeToKeys is not null).Select(i => sessions[i]).ToArray();
    for (var waited = 0; waited < 100 && !keyed.All(s => s.IsEncrypted && s.RemoteEndPoint is not null); waited++) await Task.Delay(100);
    var handshakeWall = phase.Elapsed;
    var handshakeCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
    var gcPause = GC.GetTotalPauseDuration() - gcPause0;
    var gcCount = GC.CollectionCount(0) - gcCount0;
    var times = browsers.Legs.Where(l => l.TimeToKeys is not null).Select(l => l.TimeToKeys!.Value.TotalMilliseconds).Order().ToArray();
    double Pct(double p) => times.Length == 0 ? double.NaN : times[Math.Min(times.Length - 1, (int)Math.Ceiling(p / 100 * times.Length) - 1)];
    var failures = browsers.Legs.Where(l => l.Failure is not null).GroupBy(l => l.Failure).Select(g => $"{g.Count()} × {g.Key}");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"# WebRTC set-up: {times.Length}/{count} DTLS-SRTP handshakes completed (engine keyed: {sessions.Count(s => s.IsEncrypted)}), at most {concurrency} at a time, " +
        $"in {handshakeWall.TotalSeconds:F1} s ({times.Length / handshakeWall.TotalSeconds:F0}/s, process CPU {handshakeCpu:F1} s = {handshakeCpu * 1000 / Math.Max(1, times.Length):F1} ms per handshake, both sides); " +
        $"time to keys (first ICE check → client keys) p50 {Pct(50):F1} ms, p99 {Pct(99):F1} ms, max {(times.Length > 0 ? times[^1] : double.NaN):F1} ms; " +
        $"clock send p99 during the set-up {clock.SendLateness.PercentileMilliseconds(99):F2} ms (max {clock.SendLateness.MaxMilliseconds:F2}), " +
        $"{gcCount} GCs pausing the process {gcPause.TotalMilliseconds:F0} ms in all; failed: {(finished ? "" : "(workers still running) ")}{string.Join(", ", failures)}"));
    browsers.StartTalking(talk);
    var received0 = sessions.Sum(s => s.Statistics.PacketsReceived);
    var row = await Measure(engine, (talk ? "WebRTC hold music, browser SRTP back" : "WebRTC hold music") + (opus ? ", Opus" : ""), count, [browsers],
        () => sessions.Sum(s => s.Statistics.PacketsSent), () => sessions.Sum(s => s.Statistics.SendErrors),
        () => sessions.Sum(s => s.Statistics.PacketsReceived));
    Console.WriteLine(row);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"# browsers: {browsers.Totals().Packets} SRTP packets unprotected in the last window, {browsers.AuthenticationFailures} failed authentication; " +
        $"engine: {sessions.Sum(s => s.Statistics.PacketsReceived) - received0} SRTP packets from the browsers accepted since the set-up"));
    foreach (var s in sessions) await s.DisposeAsync();
}

async Task RunMixes(int count)
{
    await using var clock = new MediaClock(TimeProvider.System, NullLogger<MediaClock>.Instance, parallelism, options.RealtimeClock, phases, sendPath);
    clock.Start();
    await using var engine = new MediaEngine(options, TimeProvider.System, clock: clock);
    var sinks = Enumerable.Range(0, Math.Max(1, count * 3 / perSink)).Select(_ => new UdpSink()).ToArray();
    var sessions = new List<MediaSession>(count * 3);
    var talkers = new List<(Socket Socket, IPEndPoint To)>();
    for (var m = 0; m < count; m++)
    {
        var mixer = new Mixer();
        for (var p = 0; p < 3; p++)
        {
            var session = engine.CreateSession();
            var sink = sinks[sessions.Count % sinks.Length];
            session.Apply(engine.CreateSdp(session).Answer(Offer(sink.EndPoint.Port)).Media!);
            session.Start();
            mixer.Add(session);
            sessions.Add(session);
        }
    }
    // The parties speak: one thread sends a 20 ms tone packet to every session, paced by its own clock.
    using var talker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    talker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    var targets = sessions.Select(s => s.LocalEndPoint.Serialize()).ToArray();
    using var stop = new CancellationTokenSource();
    var talk = new Thread(() => Talk(talker, targets, stop.Token)) { IsBackground = true, Name = "talker" };
    talk.Start();
    var row = await Measure(engine, "3-party mix", count * 3, sinks, () => sessions.Sum(s => s.Statistics.PacketsSent), () => sessions.Sum(s => s.Statistics.SendErrors),
        () => sessions.Sum(s => s.Statistics.PacketsReceived));
    Console.WriteLine(row.Replace($"| {count * 3} |", $"| {count} mixes ({count * 3}) |", StringComparison.Ordinal));
    await stop.CancelAsync();
    talk.Join();
    foreach (var s in sessions) await s.DisposeAsync();
    foreach (var s in sinks) s.Dispose();
}

async Task<string> Measure(MediaEngine engine, string load, int count, IRtpCounter[] sinks, Func<long> sent, Func<long> errors, Func<long>? accepted = null)
{
    accepted ??= () => 0;
    await Task.Delay(TimeSpan.FromSeconds(3)); // warm up (JIT, socket buffers, latching)
    engine.Clock.SendLateness.Reset();
    engine.Clock.WakeLateness.Reset();
    foreach (var s in sinks) s.Reset();
    var skipped0 = engine.Clock.SkippedTicks;
    var sent0 = sent();
    var errors0 = errors();
    var process = Process.GetCurrentProcess();
    var cpu0 = process.TotalProcessorTime;
    var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
    var clockAlloc0 = engine.Clock.AllocatedBytes;
    var steal0 = CpuTimes();
    var threads0 = ThreadCpu.Now();
    // The engine's receive path: packets its sessions accepted in the same window as the receive threads' CPU.
    var accepted0 = accepted();
    var relayCpu0 = relay?.CpuSeconds() ?? 0;
    var wall = Stopwatch.StartNew();
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    var steal1 = CpuTimes();
    var threads = ThreadCpu.Now().Since(threads0);
    var acceptedNow = accepted() - accepted0;
    var relayCpu = (relay?.CpuSeconds() ?? 0) - relayCpu0;
    var received = sinks.Sum(s => s.Totals().Packets);
    // Steal: the share of the machine's CPU time the hypervisor gave to others (a VM's clock threads wake late then).
    var stealPercent = steal1.Total > steal0.Total ? 100.0 * (steal1.Steal - steal0.Steal) / (steal1.Total - steal0.Total) : 0;
    var alloc = GC.GetTotalAllocatedBytes(precise: true) - alloc0;
    var clockAlloc = engine.Clock.AllocatedBytes - clockAlloc0;
    process.Refresh();
    var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds / wall.Elapsed.TotalSeconds * 100;
    var packets = sent() - sent0;
    var failed = errors() - errors0;
    await Task.Delay(200); // let the sinks drain
    var lost = sinks.Sum(s => s.Totals().Missing);
    var c = engine.Clock;
    var perPacket = 1e6 / Math.Max(1, packets);
    return string.Create(CultureInfo.InvariantCulture,
        $"| {load} | {count} | {c.SendLateness.PercentileMilliseconds(50):F2} | {c.SendLateness.PercentileMilliseconds(99):F2} | " +
        $"{c.SendLateness.MaxMilliseconds:F2} | {c.WakeLateness.PercentileMilliseconds(99):F2} | {c.SkippedTicks - skipped0} | {packets} | {failed} | {lost} | " +
        $"{cpu / count:F4} | {cpu:F0} | {cpu / 100 * wall.Elapsed.TotalSeconds * 1e6 / Math.Max(1, packets):F1} | " +
        $"**{threads.Clock * perPacket:F2}** | {threads.Sink * perPacket:F2} | {threads.Other * perPacket:F2} | {(double)alloc / Math.Max(1, packets):F2} | {clockAlloc} | " +
        $"{LoadAverage()} | {stealPercent:F1} | {acceptedNow} | {(acceptedNow == 0 ? "–" : (threads.Receive * 1e6 / acceptedNow).ToString("F2", CultureInfo.InvariantCulture))} |") +
        (relay is null ? "" : string.Create(CultureInfo.InvariantCulture, $" rtpengine relayed {received} packets at **{relayCpu * 1e6 / Math.Max(1, received):F2} µs/pkt** |"));
}

static void Talk(Socket socket, SocketAddress[] targets, CancellationToken stop)
{
    var packet = new byte[RtpPacket.HeaderLength + AudioFormat.SamplesPerFrame];
    var pcm = new short[AudioFormat.SamplesPerFrame];
    var tone = ToneSource.Sine(600);
    var started = Stopwatch.GetTimestamp();
    ushort seq = 0;
    uint ts = 0;
    for (long n = 0; !stop.IsCancellationRequested; n++)
    {
        var due = started + (n * Stopwatch.Frequency / 50);
        while (Stopwatch.GetTimestamp() < due) Thread.Sleep(1);
        tone.ReadFrame(pcm);
        G711.Encode(G711Law.Ulaw, pcm, packet.AsSpan(RtpPacket.HeaderLength));
        RtpPacket.WriteHeader(packet, false, 0, seq++, ts, 0xCAFE);
        ts += AudioFormat.SamplesPerFrame;
        foreach (var target in targets) socket.SendTo(packet, SocketFlags.None, target);
    }
}

static string Offer(int port) =>
    $"v=0\r\no=sink 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {port} RTP/AVP 0 101\r\n" +
    "a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";

// RFC 4568: RTP/SAVP with one SDES key (the sink does not decrypt; it counts sequence numbers, which stay in clear).
static string SrtpOffer(int port) =>
    Offer(port).Replace("RTP/AVP", "RTP/SAVP", StringComparison.Ordinal) +
    $"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{SrtpMasterKey.Generate().ToBase64()}\r\n";

// /proc/stat's "cpu" line: user nice system idle iowait irq softirq steal … (jiffies); (0, 0) off Linux.
static (long Steal, long Total) CpuTimes()
{
    if (!File.Exists("/proc/stat")) return (0, 0);
    var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
        .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
    return (fields.Length > 7 ? fields[7] : 0, fields.Sum());
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static string FindRoot()
{
    var dir = AppContext.BaseDirectory;
    while (dir is not null && !File.Exists(Path.Combine(dir, "Hotline.sln"))) dir = Path.GetDirectoryName(dir);
    return dir ?? Directory.GetCurrentDirectory();
}

internal sealed class Args(Dictionary<string, string> values)
{
    public static Args Parse(string[] args)
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < args.Length; i += 2) d[args[i].TrimStart('-')] = args[i + 1];
        return new Args(d);
    }

    public string Get(string key, string fallback) => values.TryGetValue(key, out var v) ? v : fallback;
}
