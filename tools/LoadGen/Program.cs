using System.Diagnostics;
using System.Globalization;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Stats;
using Hotline.Contracts.V1;
using Hotline.Cti.Media;
using Hotline.Cti.Media.Sources;
using Hotline.LoadGen;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Hours;

// Usage:
//   dotnet run -c Release --project tools/LoadGen -- flow  [rate=50] [seconds=20] [agents=200] [talkSeconds=2]
//   dotnet run -c Release --project tools/LoadGen -- queue [callers=2000]
//   dotnet run -c Release --project tools/LoadGen -- sip      [rate=50] [seconds=20] [agents=200] [talkSeconds=3]   (real SIP + RTP on loopback)
//   dotnet run -c Release --project tools/LoadGen -- sipqueue [callers=2000]                                     (real SIP + RTP on loopback)
// LOADGEN_REDIS=<connection string>: flow/queue take agent leases in that Redis (several engines' coordination).
var mode = args.ElementAtOrDefault(0) ?? "flow";
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
return mode switch
{
    "flow" => await Flow(Arg(1, 50), Arg(2, 20), Arg(3, 200), Arg(4, 2)),
    "queue" => await Queue(Arg(1, 2000)),
    "sip" => await SipLoad.FlowAsync(Arg(1, 50), Arg(2, 20), Arg(3, 200), Arg(4, 3)),
    "sipqueue" => await SipLoad.QueueAsync(Arg(1, 2000)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: LoadGen flow|sip [rate] [seconds] [agents] [talkSeconds] | queue|sipqueue [callers]");
    return 2;
}

static (CallRouter Router, SimTelephony Telephony, AgentRoster Roster, CallQueues Queues, SqliteOutbox Outbox, string Dir) Build(int agents, TimeSpan answerDelay)
{
    var time = TimeProvider.System;
    var acd = new AcdOptions { WrapUpSeconds = 0, AnnounceEverySeconds = 30, RingTimeoutSeconds = 15 };
    acd.Queues["general"] = new QueueOptions();
    acd.Ivr.Options["1"] = new IvrChoiceOptions { Queue = "general", Nature = "consultation" };
    var list = Enumerable.Range(1, agents).Select(i => new AgentOptions { Id = "a" + i, User = (10000 + i).ToString(CultureInfo.InvariantCulture), Queues = ["general"] }).ToList();
    var dir = Path.Combine(Path.GetTempPath(), "loadgen-" + Guid.NewGuid().ToString("N"));
    var outbox = new SqliteOutbox(Path.Combine(dir, "outbox.db"));
    var node = Options.Create(new NodeOptions { Id = "loadgen" });
    IAgentLeases? leases = Environment.GetEnvironmentVariable("LOADGEN_REDIS") is { Length: > 0 } redis
        ? new RedisAgentLeases(RedisAgentLeases.Connect(redis), "loadgen", TimeSpan.FromSeconds(30), time, NullLogger.Instance)
        : null;
    var roster = new AgentRoster(Options.Create(new AgentsOptions { List = list }), Options.Create(acd), time, leases);
    _ = new AgentEventRecorder(roster, node, outbox, outbox);
    var queues = new CallQueues(Options.Create(acd), roster, time);
    var stats = new LiveStats(queues, roster, time, node);
    var telephony = new SimTelephony(time) { AnswerDelay = answerDelay };
    var ctx = new CallFlowContext(telephony, roster, queues, stats, new SilencePrompts(), outbox, time, acd, "loadgen",
        new BusinessHours(acd.BusinessHours), NullLogger.Instance);
    return (new CallRouter(ctx), telephony, roster, queues, outbox, dir);
}

static async Task<int> Flow(int rate, int seconds, int agents, int talkSeconds)
{
    var (router, telephony, roster, _, outbox, dir) = Build(agents, TimeSpan.FromMilliseconds(200));
    foreach (var a in roster.All()) roster.SignIn(a.Id, ready: true);
    var total = rate * seconds;
    var done = new TaskCompletionSource();
    var finished = 0;
    router.CallFinished += _ => { if (Interlocked.Increment(ref finished) == total) done.TrySetResult(); };
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var callers = new List<Task>(total);
    using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
    var started = 0;
    while (started < total)
    {
        await tick.WaitForNextTickAsync();
        var due = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * rate));
        for (; started < due; started++)
            callers.Add(Caller(telephony, "138" + started.ToString("D8", CultureInfo.InvariantCulture), TimeSpan.FromSeconds(talkSeconds)));
    }
    var offeredIn = clock.Elapsed;
    await Task.WhenAll(callers);
    await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
    var elapsed = clock.Elapsed;
    var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;

    // Zero lost events: every call's events are in the outbox, sequenced 1..n without gaps, ending with CallEnded.
    var byCall = outbox.ReadPending(0, int.MaxValue).Where(e => e.Envelope.Call is not null).GroupBy(e => e.Envelope.Call.CallId).ToList();
    var complete = byCall.Count(g =>
    {
        var seq = g.Select(e => e.Envelope.Call.Sequence).Order().ToList();
        return seq.SequenceEqual(Enumerable.Range(1, seq.Count).Select(i => (ulong)i)) && g.Any(e => e.Envelope.Call.PayloadCase == CallEvent.PayloadOneofCase.Ended);
    });
    var waits = byCall.SelectMany(g => g).Where(e => e.Envelope.Call.PayloadCase == CallEvent.PayloadOneofCase.Answered)
        .Select(e => (double)e.Envelope.Call.Answered.WaitMs).Order().ToList();
    var answered = waits.Count;
    var events = outbox.PendingCount();
    Console.WriteLine($"flow: {total} calls offered at {rate}/s over {offeredIn.TotalSeconds:0.0} s, all finished after {elapsed.TotalSeconds:0.0} s");
    Console.WriteLine($"  answered {answered}/{total}, calls with complete gap-free event sequences {complete}/{total}, events in outbox {events}");
    Console.WriteLine($"  wait ms p50 {Pct(waits, 0.5):0} p99 {Pct(waits, 0.99):0} max {waits.LastOrDefault():0}");
    Console.WriteLine($"  CPU {cpuUsed.TotalSeconds:0.00} s = {cpuUsed.TotalMilliseconds / total:0.00} ms CPU per call (engine logic + SQLite outbox)");
    outbox.Dispose();
    Directory.Delete(dir, recursive: true);
    return complete == total && answered == total ? 0 : 1;
}

static async Task Caller(SimTelephony telephony, string number, TimeSpan talk)
{
    var leg = telephony.Call(number, "12345");
    await leg.Answered;
    await Task.Delay(TimeSpan.FromSeconds(1.2)); // Greeting (1 s), then the menu: key 1.
    leg.Press('1');
    // Talk: from the moment the agent leg is bridged (approximated: queue wait is ~answer delay when agents are free).
    await Task.Delay(talk + TimeSpan.FromMilliseconds(200));
    leg.RemoteHangup();
}

static async Task<int> Queue(int callers)
{
    var (router, telephony, _, queues, outbox, dir) = Build(agents: 1, TimeSpan.FromMilliseconds(200));
    GC.Collect();
    GC.WaitForPendingFinalizers();
    var before = GC.GetTotalMemory(forceFullCollection: true);
    var legs = new List<SimLeg>(callers);
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < callers; i++) legs.Add(telephony.Call("139" + i.ToString("D8", CultureInfo.InvariantCulture), "12345"));
    foreach (var leg in legs) await leg.Answered;
    await Task.Delay(TimeSpan.FromSeconds(1.2)); // Greeting, then key 1 in the menu.
    foreach (var leg in legs) leg.Press('1');
    while (queues.Snapshot().Single().Waiting < callers) await Task.Delay(100);
    var queuedIn = clock.Elapsed;
    var after = GC.GetTotalMemory(forceFullCollection: true);
    var perCall = (after - before) / (double)callers;

    // One media tick: every waiting caller's hold music source fills a 20 ms frame.
    var sources = legs.Select(l => l.Hearing).OfType<IAudioSource>().ToList();
    var frame = new short[AudioFormat.SamplesPerFrame];
    var ticks = Stopwatch.StartNew();
    for (var t = 0; t < 50; t++)
        foreach (var s in sources) s.ReadFrame(frame);
    var perTick = ticks.Elapsed.TotalMilliseconds / 50;
    Console.WriteLine($"queue: {callers} callers waiting with hold music ({sources.Count} hearing a source) after {queuedIn.TotalSeconds:0.0} s");
    Console.WriteLine($"  managed memory {(after - before) / 1048576.0:0.0} MiB = {perCall / 1024:0.0} KiB per waiting call (ACD side, excluding SIP/RTP)");
    Console.WriteLine($"  hold-music frame fill for all callers: {perTick:0.000} ms per 20 ms tick");
    foreach (var leg in legs) leg.RemoteHangup();
    while (router.ActiveCalls > 0) await Task.Delay(50);
    Console.WriteLine($"  all hung up: abandoned {queues.Snapshot().Single().Waiting == 0}");
    outbox.Dispose();
    Directory.Delete(dir, recursive: true);
    return 0;
}

static double Pct(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

/// <summary>Silent prompts of realistic length: greeting 1 s, menu 0.5 s, hold music a 1 s loop.</summary>
internal sealed class SilencePrompts : IPromptLibrary
{
    private static readonly short[] OneSecond = new short[8000];
    private static readonly short[] HalfSecond = new short[4000];

    public IAudioSource Prompt(string name) => new PcmSource([name == "menu" ? HalfSecond : OneSecond], loop: false);
    public IAudioSource HoldMusic() => new PcmSource([OneSecond], loop: true);
    public IAudioSource Position(int position, int? expectedWaitMinutes = null) => new PcmSource([HalfSecond], loop: false);
    public IAudioSource TraineeGreeting(string agentNumber) => new PcmSource([OneSecond], loop: false);
}
