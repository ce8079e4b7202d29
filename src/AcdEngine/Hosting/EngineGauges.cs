using System.Diagnostics.Metrics;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Sip;
using Hotline.AcdEngine.Stats;
using Hotline.Cti.Calls.Sip;
using Hotline.Cti.Media;

namespace Hotline.AcdEngine.Hosting;

/// <summary>
/// The engine's state as observable metrics, read from each figure's owner only when Prometheus scrapes
/// (docs/operations.md "Monitoring"): queues, agents by state, calls, registrations, RTP, SRTP, the event outbox.
/// A hosted service so that the owners are built after the options were validated, like every other part of the host.
/// </summary>
public sealed class EngineGauges(IMeterFactory meters, CallQueues queues, AgentRoster roster, SipStack sip, SipTelephony telephony,
    MediaEngine media, SqliteOutbox outbox, OutboxPublisher publisher, TimeProvider time) : IHostedService
{
    private static readonly AgentState[] States = Enum.GetValues<AgentState>();
    private static readonly string[] StateNames = States.Select(s => s.ToString()).ToArray();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var meter = meters.Create(CallCounters.MeterName);
        meter.CreateObservableGauge("hotline.queue.waiting", ObserveWaiting, "{call}", "Callers waiting in each queue now.");
        meter.CreateObservableGauge("hotline.queue.longest_wait", ObserveLongestWait, "s", "How long the longest-waiting caller of each queue has waited.");
        meter.CreateObservableGauge("hotline.agents", ObserveAgents, "{agent}", "Agents by state (SignedOut, Ready, Ringing, Talking, WrapUp, NotReady…).");
        meter.CreateObservableGauge("hotline.calls.active", () => outbox.OpenCallCount(), "{call}", "Calls this engine has open (journaled, not yet ended).");
        meter.CreateObservableGauge("hotline.sip.call_legs.active", () => telephony.ActiveLegs, "{leg}", "SIP call legs up now (a call has one per party).");
        meter.CreateObservableGauge("hotline.sip.registrations", () => sip.Registrar.Bindings.Snapshot().Count, "{binding}", "Registered contact bindings now.");
        meter.CreateObservableCounter("hotline.rtp.packets_sent", () => media.RtpTotals.PacketsSent, "{packet}", "RTP packets sent since start.");
        meter.CreateObservableCounter("hotline.rtp.packets_received", () => media.RtpTotals.PacketsReceived, "{packet}", "RTP packets received since start.");
        meter.CreateObservableCounter("hotline.rtp.packets_lost", () => media.RtpTotals.PacketsLost, "{packet}", "RTP packets lost (RFC 3550 §A.3, from sequence gaps) since start.");
        meter.CreateObservableGauge("hotline.rtp.sessions", () => media.RtpTotals.Sessions, "{session}", "RTP sessions running now.");
        // The media clock's own lateness (send deadline → packet handed to the kernel): a late packet is jitter the caller hears.
        meter.CreateObservableGauge("hotline.rtp.send_lateness_p99", () => media.Clock.SendLateness.PercentileMilliseconds(99) / 1000.0, "s",
            "99th percentile of RTP send lateness since start.");
        meter.CreateObservableGauge("hotline.rtp.send_lateness_max", () => media.Clock.SendLateness.MaxMilliseconds / 1000.0, "s", "Largest RTP send lateness since start.");
        meter.CreateObservableCounter("hotline.srtp.dropped", ObserveSrtpDrops, "{packet}", "SRTP/SRTCP packets dropped, by reason (authentication = bad tag or wrong key).");
        meter.CreateObservableGauge("hotline.outbox.pending", () => outbox.PendingCount(), "{event}", "Events waiting for TicketApi's ack (publish backlog).");
        meter.CreateObservableGauge("hotline.outbox.oldest_age", ObserveOldestAge, "s", "Age of the oldest event waiting for TicketApi's ack (0 when none).");
        meter.CreateObservableGauge("hotline.outbox.dead_letters", () => outbox.DeadLetterCount(), "{event}", "Events TicketApi refused for good.");
        meter.CreateObservableGauge("hotline.outbox.held", () => outbox.HeldCount, "{event}", "Events held in memory because the data disk refuses outbox writes (0 normally).");
        meter.CreateObservableCounter("hotline.outbox.dropped", () => outbox.DroppedCount, "{event}", "Events dropped because the data disk stayed full past the in-memory bound.");
        meter.CreateObservableCounter("hotline.recordings.cut_short", () => Hotline.Cti.Media.Recording.WavRecorder.Failures, "{recording}", "Recordings cut short by a refused disk write since start.");
        meter.CreateObservableCounter("hotline.outbox.acked", () => publisher.Acked, "{event}", "Events TicketApi acknowledged since start.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private IEnumerable<Measurement<int>> ObserveWaiting()
    {
        foreach (var q in queues.Snapshot()) yield return new(q.Waiting, new KeyValuePair<string, object?>("queue", q.Queue));
    }

    private IEnumerable<Measurement<double>> ObserveLongestWait()
    {
        foreach (var q in queues.Snapshot()) yield return new(q.LongestWait.TotalSeconds, new KeyValuePair<string, object?>("queue", q.Queue));
    }

    private IEnumerable<Measurement<int>> ObserveAgents()
    {
        var counts = new int[States.Length];
        foreach (var a in roster.All()) counts[Array.IndexOf(States, a.State)]++;
        for (var i = 0; i < States.Length; i++) yield return new(counts[i], new KeyValuePair<string, object?>("state", StateNames[i]));
    }

    private IEnumerable<Measurement<long>> ObserveSrtpDrops()
    {
        yield return new(media.SrtpDrops.AuthenticationFailures, new KeyValuePair<string, object?>("reason", "authentication"));
        yield return new(media.SrtpDrops.Replays, new KeyValuePair<string, object?>("reason", "replay"));
        yield return new(media.SrtpDrops.Malformed, new KeyValuePair<string, object?>("reason", "malformed"));
    }

    private double ObserveOldestAge() => outbox.OldestPendingAt() is { } at ? Math.Max(0, (time.GetUtcNow() - at).TotalSeconds) : 0;
}
