using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Queues;
using Microsoft.Extensions.Options;
using Hotline.AcdEngine.Node;

namespace Hotline.AcdEngine.Stats;

public sealed record QueueStatsView(
    string Queue, int Waiting, long LongestWaitMs,
    int AgentsReady, int AgentsRinging, int AgentsTalking, int AgentsWrapUp, int AgentsNotReady,
    int OfferedToday, int AnsweredToday, int AbandonedToday, int AnsweredWithinServiceLevelToday,
    double ServiceLevelToday, double ServiceLevel15m, long AverageSpeedOfAnswerMs, long ServiceLevelMs);

public sealed record AgentStatsView(string AgentId, AgentState Status, string Reason, DateTimeOffset Since, int CallsHandledToday, string? CallId);

/// <summary>The live figures of this engine at one moment (<c>GET /api/stats</c>, CTI WatchStats, Redis).</summary>
public sealed record StatsView(DateTimeOffset At, string NodeId, IReadOnlyList<QueueStatsView> Queues, IReadOnlyList<AgentStatsView> Agents);

/// <summary>
/// The one owner of today's queue counters (offered, answered, abandoned, service level, ASA). Waiting callers and
/// agent states are read from their owners when a snapshot is taken. <see cref="Changed"/> tells watchers (CTI
/// WatchStats) that a figure moved, so the wallboard is pushed on change instead of on a clock tick (issue 9: within 1 s).
/// </summary>
public sealed class LiveStats
{
    private readonly Dictionary<string, QueueFigures> _figures = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly CallQueues queues;
    private readonly AgentRoster roster;
    private readonly TimeProvider time;
    private readonly IOptions<NodeOptions> node;
    private readonly CallCounters? counters;

    public LiveStats(CallQueues queues, AgentRoster roster, TimeProvider time, IOptions<NodeOptions> node, CallCounters? counters = null)
    {
        this.counters = counters;
        this.queues = queues;
        this.roster = roster;
        this.time = time;
        this.node = node;
        // An agent's state is part of the figures (agents by state, per queue and per agent).
        roster.Changed += _ => Changed?.Invoke();
    }

    /// <summary>
    /// A figure changed: a caller was offered, answered or abandoned, or an agent changed state. Raised on the
    /// changer's thread (sometimes inside the roster's lock): handlers only signal, never take a snapshot inline.
    /// </summary>
    public event Action? Changed;

    /// <summary>Moves on every count: lets the engine save the day's counters only when they changed.</summary>
    public long Version => Interlocked.Read(ref _version);

    private long _version;

    /// <summary>Today's counters of every queue (saved by the engine, so "today" survives a restart: issue 20).</summary>
    public TodayCounts ExportToday()
    {
        var today = Today();
        lock (_gate)
        {
            var queues = new Dictionary<string, QueueCounts>(StringComparer.Ordinal);
            foreach (var (name, _) in _figures) queues[name] = Figures(name).Counts;
            return new TodayCounts(today, queues);
        }
    }

    /// <summary>Puts back counters saved before a restart, if they are of today (local day); older ones are dropped.</summary>
    public bool RestoreToday(TodayCounts saved)
    {
        if (saved.Day != Today()) return false;
        lock (_gate)
            foreach (var (name, counts) in saved.Queues)
            {
                if (!_figures.TryGetValue(name, out var f)) _figures[name] = f = new QueueFigures();
                f.Restore(saved.Day, counts);
            }
        Changed?.Invoke();
        return true;
    }

    private DateOnly Today() => DateOnly.FromDateTime(time.GetLocalNow().DateTime);

    public void CountOffered(string queue)
    {
        Interlocked.Increment(ref _version);
        lock (_gate) Figures(queue).CountOffered();
        counters?.Offered(queue);
        Changed?.Invoke();
    }

    public void CountAnswered(string queue, TimeSpan wait, bool withinServiceLevel)
    {
        Interlocked.Increment(ref _version);
        lock (_gate) Figures(queue).CountAnswered(time.GetUtcNow(), (long)wait.TotalMilliseconds, withinServiceLevel);
        counters?.Answered(queue, wait, withinServiceLevel);
        Changed?.Invoke();
    }

    public void CountAbandoned(string queue)
    {
        Interlocked.Increment(ref _version);
        lock (_gate) Figures(queue).CountAbandoned();
        counters?.Abandoned(queue);
        Changed?.Invoke();
    }

    public StatsView Snapshot()
    {
        var now = time.GetUtcNow();
        var agents = roster.All();
        var waiting = queues.Snapshot();
        var list = new List<QueueStatsView>(waiting.Count);
        lock (_gate)
        {
            foreach (var q in waiting)
            {
                var f = Figures(q.Queue);
                int By(AgentState s) => agents.Count(a => a.State == s && a.Queues.Contains(q.Queue));
                list.Add(new QueueStatsView(q.Queue, q.Waiting, (long)q.LongestWait.TotalMilliseconds,
                    By(AgentState.Ready), By(AgentState.Ringing), By(AgentState.Talking), By(AgentState.WrapUp), By(AgentState.NotReady),
                    f.Offered, f.Answered, f.Abandoned, f.AnsweredWithinServiceLevel,
                    f.ServiceLevelToday, f.ServiceLevelLast15Minutes(now), f.AverageSpeedOfAnswerMs, (long)q.ServiceLevel.TotalMilliseconds));
            }
        }
        var agentViews = agents.Select(a => new AgentStatsView(a.Id, a.State, a.Reason, a.Since, a.CallsHandledToday, a.CallId)).ToList();
        return new StatsView(now, node.Value.Id, list, agentViews);
    }

    /// <summary>
    /// The latest snapshots of the other live engines on the same Redis (set by the engine every second from
    /// <see cref="RedisMirror.ReadOtherNodesAsync"/>; empty for one engine alone).
    /// </summary>
    public IReadOnlyList<StatsView> OtherNodes
    {
        get => Volatile.Read(ref _otherNodes);
        set => Volatile.Write(ref _otherNodes, value);
    }

    private IReadOnlyList<StatsView> _otherNodes = [];

    /// <summary>The whole hotline's figures: this engine's, combined with the other live engines' (<see cref="HotlineFigures"/>).</summary>
    public StatsView HotlineSnapshot()
    {
        var others = OtherNodes;
        var own = Snapshot();
        return others.Count == 0 ? own : HotlineFigures.Combine(own, others, QueuesOf);
    }

    private IReadOnlySet<string>? QueuesOf(string agentId)
    {
        try { return roster.Get(agentId).Queues; }
        catch (UnknownAgentException) { return null; }
    }

    private QueueFigures Figures(string queue)
    {
        if (!_figures.TryGetValue(queue, out var f)) _figures[queue] = f = new QueueFigures();
        // "Today" is the hotline's local day (QueueStats.offered_today: since local midnight).
        f.RollTo(Today());
        return f;
    }
}
