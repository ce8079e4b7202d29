using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Prompts;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Stats;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Hotline.Cti.Calls.Sip;
using Hotline.Cti.Media;
using Hotline.Cti.Media.Sources;
using Hotline.Cti.Media.Rtp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Hours;
using Hotline.Cti.Tests.Calls;

namespace Hotline.LoadGen;

/// <summary>
/// Real-SIP load: the ACD logic over the real <see cref="SipTelephony"/> (engine), simulated callers and agents that
/// are themselves SIP user agents with RTP media (built on src/Cti), all on loopback UDP in this process.
/// Callers dial 12345, press 1 (RFC 4733) after the greeting, wait with hold music; agents auto-answer and hang up.
/// </summary>
internal static class SipLoad
{
    private sealed record Rig(SipTelephonyHost Engine, SipTelephonyHost Callers, SipTelephonyHost Agents, CallRouter Router,
        AgentRoster Roster, CallQueues Queues, SqliteOutbox Outbox, string Dir) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Router.Dispose();
            await Callers.DisposeAsync();
            await Agents.DisposeAsync();
            await Engine.DisposeAsync();
            Outbox.Dispose();
            Directory.Delete(Dir, recursive: true);
        }
    }

    private static Rig Build(int agents, TimeSpan talk)
    {
        var time = TimeProvider.System;
        var engine = SipTelephonyHost.Start(new RtpOptions { PortMin = 20000, PortMax = 29999, RealtimeClock = true }, time, product: "engine");
        var callers = SipTelephonyHost.Start(new RtpOptions { PortMin = 30000, PortMax = 39999, RealtimeClock = false }, time, product: "callers");
        var agentPhones = SipTelephonyHost.Start(new RtpOptions { PortMin = 40000, PortMax = 49999, RealtimeClock = false }, time, product: "agents");
        var acd = new AcdOptions { WrapUpSeconds = 0, AnnounceEverySeconds = 30, RingTimeoutSeconds = 15 };
        acd.Queues["general"] = new QueueOptions();
        acd.Ivr.Options["1"] = new IvrChoiceOptions { Queue = "general", Nature = "consultation" };
        var list = Enumerable.Range(1, agents).Select(i => new AgentOptions { Id = "a" + i, User = (10000 + i).ToString(CultureInfo.InvariantCulture), Queues = ["general"] }).ToList();
        foreach (var a in list)
            engine.Bindings.Update(a.User, [($"sip:{a.User}@127.0.0.1:{agentPhones.Port}", 3600)], "load-" + a.User, 1, "127.0.0.1", "loadgen", maxContacts: 1);
        var dir = Path.Combine(Path.GetTempPath(), "loadgen-sip-" + Guid.NewGuid().ToString("N"));
        var outbox = new SqliteOutbox(Path.Combine(dir, "outbox.db"));
        var node = Options.Create(new NodeOptions { Id = "loadgen" });
        var roster = new AgentRoster(Options.Create(new AgentsOptions { List = list }), Options.Create(acd), time);
        _ = new AgentEventRecorder(roster, node, outbox, outbox);
        var queues = new CallQueues(Options.Create(acd), roster, time);
        var stats = new LiveStats(queues, roster, time, node);
        var ctx = new CallFlowContext(engine.Telephony, roster, queues, stats, new HoldMusicPrompts(), outbox, time, acd, "loadgen",
            new BusinessHours(acd.BusinessHours), NullLogger.Instance);
        // Simulated agents: answer after 200 ms, talk, hang up.
        agentPhones.Telephony.IncomingCall += (_, e) => _ = AgentAsync(e.Leg, talk);
        return new Rig(engine, callers, agentPhones, new CallRouter(ctx), roster, queues, outbox, dir);
    }

    private static async Task AgentAsync(ICallLeg leg, TimeSpan talk)
    {
        try
        {
            await leg.RingAsync(CancellationToken.None);
            await Task.Delay(200);
            await leg.AnswerAsync(CancellationToken.None);
            await Task.Delay(talk);
            await leg.HangupAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // The caller left while this phone rang (CANCEL).
        }
    }

    /// <summary>A caller: dial, press 1 after the 1 s greeting, wait until the call ends. True when answered by the engine.</summary>
    private static async Task<bool> CallerAsync(SipTelephonyHost callers, int enginePort, string number, bool pressOne = true)
    {
        var call = callers.Telephony.Dial($"sip:12345@127.0.0.1:{enginePort}", new DialOptions { CallerId = number, RingTimeout = TimeSpan.FromSeconds(30) });
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        call.Leg.Ended += (_, _) => ended.TrySetResult();
        var result = await call.Answered;
        if (!result.IsAnswered) return false;
        await Task.Delay(1200);
        if (pressOne && call.Leg.State == CallLegState.Connected) ((SipCallLeg)call.Leg).Media.SendDtmf('1');
        await ended.Task;
        return true;
    }

    public static async Task<int> FlowAsync(int rate, int seconds, int agents, int talkSeconds)
    {
        await using var rig = Build(agents, TimeSpan.FromSeconds(talkSeconds));
        foreach (var a in rig.Roster.All()) rig.Roster.SignIn(a.Id, ready: true);
        var total = rate * seconds;
        var finished = 0;
        var done = new TaskCompletionSource();
        rig.Router.CallFinished += _ => { if (Interlocked.Increment(ref finished) == total) done.TrySetResult(); };
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var callers = new List<Task<bool>>(total);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var started = 0;
        var peakWorkingSet = 0L;
        rig.Engine.Media.Clock.SendLateness.Reset();
        while (started < total)
        {
            await tick.WaitForNextTickAsync();
            var due = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * rate));
            for (; started < due; started++)
                callers.Add(CallerAsync(rig.Callers, rig.Engine.Port, "138" + started.ToString("D8", CultureInfo.InvariantCulture)));
            peakWorkingSet = Math.Max(peakWorkingSet, Environment.WorkingSet);
        }
        var offeredIn = clock.Elapsed;
        var engaged = await Task.WhenAll(callers).WaitAsync(TimeSpan.FromMinutes(3));
        await done.Task.WaitAsync(TimeSpan.FromMinutes(1));
        var elapsed = clock.Elapsed;
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var (complete, answered, waits) = CheckEvents(rig.Outbox);
        var late = rig.Engine.Media.Clock.SendLateness;
        Console.WriteLine($"sip flow: {total} SIP calls offered at {rate}/s over {offeredIn.TotalSeconds:0.0} s, all finished after {elapsed.TotalSeconds:0.0} s");
        Console.WriteLine($"  engine answered {engaged.Count(x => x)}/{total}; agent answered {answered}/{total}; complete gap-free event sequences {complete}/{total}");
        Console.WriteLine($"  wait ms p50 {Pct(waits, 0.5):0} p99 {Pct(waits, 0.99):0} max {waits.LastOrDefault():0}");
        Console.WriteLine($"  engine media clock send lateness p50 {late.PercentileMilliseconds(0.5):0.00} ms p99 {late.PercentileMilliseconds(0.99):0.00} ms, skipped ticks {rig.Engine.Media.Clock.SkippedTicks}");
        Console.WriteLine($"  process CPU {cpuUsed.TotalSeconds:0.0} s = {cpuUsed.TotalMilliseconds / total:0.0} ms per call (engine + callers + agents, SIP + RTP), peak working set {peakWorkingSet / 1048576.0:0} MiB");
        return complete == total && answered == total ? 0 : 1;
    }

    public static async Task<int> QueueAsync(int count)
    {
        await using var rig = Build(agents: 0, TimeSpan.Zero);
        GC.Collect();
        var before = Environment.WorkingSet;
        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var callers = new List<Task<bool>>(count);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        // 200 new calls per second until all are in: a burst of thousands of INVITEs at once is not a hotline's day.
        while (callers.Count < count)
        {
            await tick.WaitForNextTickAsync();
            for (var i = 0; i < 4 && callers.Count < count; i++)
                callers.Add(CallerAsync(rig.Callers, rig.Engine.Port, "139" + callers.Count.ToString("D8", CultureInfo.InvariantCulture)));
        }
        using var wait = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var deadline = Stopwatch.StartNew();
        while (rig.Queues.Snapshot().Single().Waiting < count && deadline.Elapsed < TimeSpan.FromMinutes(2)) await wait.WaitForNextTickAsync();
        var waiting = rig.Queues.Snapshot().Single().Waiting;
        var queuedIn = clock.Elapsed;
        rig.Engine.Media.Clock.SendLateness.Reset();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var hold = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(10)); // Measurement window: ten seconds of hold music to every caller.
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var late = rig.Engine.Media.Clock.SendLateness;
        var workingSet = Environment.WorkingSet - before;
        var managed = GC.GetTotalMemory(forceFullCollection: false) - managedBefore;
        Console.WriteLine($"sip queue: {waiting}/{count} SIP callers waiting with hold music after {queuedIn.TotalSeconds:0.0} s (engine legs {rig.Engine.Telephony.ActiveLegs})");
        Console.WriteLine($"  engine media clock over {hold.Elapsed.TotalSeconds:0} s: send lateness p50 {late.PercentileMilliseconds(0.5):0.00} ms p99 {late.PercentileMilliseconds(0.99):0.00} ms max {late.MaxMilliseconds:0.0} ms, skipped ticks {rig.Engine.Media.Clock.SkippedTicks}");
        Console.WriteLine($"  process CPU {cpuUsed.TotalSeconds / hold.Elapsed.TotalSeconds * 100:0}% of one core (engine + {count} simulated callers' RTP)");
        Console.WriteLine($"  working set +{workingSet / 1048576.0:0} MiB = {workingSet / 1024.0 / count:0} KiB per call, managed +{managed / 1024.0 / count:0} KiB per call (engine leg + caller leg)");
        return waiting == count ? 0 : 1;
    }

    private static (int Complete, int Answered, List<double> Waits) CheckEvents(SqliteOutbox outbox)
    {
        var byCall = outbox.ReadPending(0, int.MaxValue).Where(e => e.Envelope.Call is not null).GroupBy(e => e.Envelope.Call.CallId).ToList();
        var complete = byCall.Count(g =>
        {
            var seq = g.Select(e => e.Envelope.Call.Sequence).Order().ToList();
            return seq.SequenceEqual(Enumerable.Range(1, seq.Count).Select(i => (ulong)i)) && g.Any(e => e.Envelope.Call.PayloadCase == CallEvent.PayloadOneofCase.Ended);
        });
        var waits = byCall.SelectMany(g => g).Where(e => e.Envelope.Call.PayloadCase == CallEvent.PayloadOneofCase.Answered)
            .Select(e => (double)e.Envelope.Call.Answered.WaitMs).Order().ToList();
        return (complete, waits.Count, waits);
    }

    private static double Pct(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    /// <summary>Silent greeting/menu of realistic length (as the in-process mode) and the real hold music from sounds/moh.</summary>
    private sealed class HoldMusicPrompts : IPromptLibrary
    {
        private readonly SilencePrompts _silence = new();
        private readonly SoundLibrary _wav = new(FindSounds());

        public IAudioSource Prompt(string name) => _silence.Prompt(name);
        public IAudioSource HoldMusic() => _wav.HoldMusic();
        public IAudioSource Position(int position, int? expectedWaitMinutes = null) => _silence.Position(position, expectedWaitMinutes);
        public IAudioSource TraineeGreeting(string agentNumber) => _silence.TraineeGreeting(agentNumber);

        private static string FindSounds() => SoundsFolder.Resolve("sounds", AppContext.BaseDirectory);
    }
}
