using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Hosting;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Queues;

/// <summary>What a queue looks like now.</summary>
public sealed record QueueSnapshot(string Queue, int Waiting, TimeSpan LongestWait, QueueStrategy Strategy, TimeSpan ServiceLevel);

/// <summary>
/// The one owner of who waits where, and the dispatcher that offers waiting callers to ready agents: oldest caller
/// first across queues, agents picked by each queue's strategy, reserved through the roster before the offer.
/// </summary>
public sealed partial class CallQueues
{
    private readonly Dictionary<string, QueueEntry> _queues = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly AgentRoster _roster;
    private readonly TimeProvider _time;

    public CallQueues(IOptions<IQueueSettings> options, AgentRoster roster, TimeProvider time)
    {
        _roster = roster;
        _time = time;
        Estimates = new WaitEstimator(time);
        DefaultQueue = options.Value.DefaultQueue;
        foreach (var (name, q) in options.Value.Queues)
            _queues.Add(name, new QueueEntry(name, q, ServiceLevelOf(q, options.Value), SelectorOf(name, q)));
        roster.BecameReady += _ => Dispatch();
    }

    private static TimeSpan ServiceLevelOf(QueueOptions q, IQueueSettings acd) =>
        TimeSpan.FromSeconds(q.ServiceLevelSeconds > 0 ? q.ServiceLevelSeconds : acd.ServiceLevelSeconds);

    private static IAgentSelector SelectorOf(string name, QueueOptions q) =>
        AgentSelectors.For(q.Strategy, string.IsNullOrEmpty(q.Skill) ? name : q.Skill);

    /// <summary><c>Acd:DefaultQueue</c> as last configured (a reload may change it).</summary>
    public string DefaultQueue { get; private set; }

    public IReadOnlyCollection<string> Names
    {
        get { lock (_gate) return _queues.Values.Where(q => !q.Retired).Select(q => q.Name).ToList(); }
    }

    /// <summary>Recent handle times per queue, for the expected-wait announcement.</summary>
    public WaitEstimator Estimates { get; }

    /// <summary>What a waiting caller is told to expect now; null when unknown (nothing to announce).</summary>
    public TimeSpan? ExpectedWait(QueuedCall call) => ExpectedWait(call, PositionOf(call));

    /// <summary>As <see cref="ExpectedWait(QueuedCall)"/> for a caller at <paramref name="position"/> (the shared line's).</summary>
    public TimeSpan? ExpectedWait(QueuedCall call, int position) => Estimates.Estimate(call.Queue, position, _roster.StaffedIn(call.Queue));

    /// <summary>A configured queue a new caller may enter (not one a reload removed that still has callers).</summary>
    public bool Exists(string queue)
    {
        lock (_gate) return _queues.TryGetValue(queue, out var e) && !e.Retired;
    }

    public QueueOptions Options(string queue)
    {
        lock (_gate) return Entry(queue).Options;
    }

    public TimeSpan ServiceLevel(string queue)
    {
        lock (_gate) return Entry(queue).ServiceLevel;
    }

    /// <summary>Adds a caller at the back of <paramref name="queue"/>; null when the queue is full (overflow).</summary>
    public QueuedCall? TryEnqueue(string callId, string queue, out int position)
    {
        QueuedCall call;
        lock (_gate)
        {
            var entry = Entry(queue);
            if (entry.Options.MaxLength > 0 && entry.Waiting.Count >= entry.Options.MaxLength)
            {
                position = 0;
                return null;
            }
            call = new QueuedCall(callId, queue, _time.GetUtcNow());
            call.Node = entry.Waiting.AddLast(call);
            position = entry.Waiting.Count;
        }
        JoinLineThenDispatch(call);
        return call;
    }

    /// <summary>Completes when agents have been reserved for this caller (Ringing); the flow then dials them.</summary>
    public Task<IReadOnlyList<AgentSnapshot>> NextOfferAsync(QueuedCall call)
    {
        lock (_gate) return call.NextOffer.Task;
    }

    /// <summary>The ring attempt failed: the caller waits again in the same place (entry time kept).</summary>
    public void Requeue(QueuedCall call)
    {
        lock (_gate)
        {
            if (call.Node is null) return;
            call.Offered = false;
            call.NextOffer = QueuedCall.NewOffer();
        }
        JoinLineThenDispatch(call); // Shared line: back at the first entry time (JoinAsync keeps it).
    }

    /// <summary>The caller left the queue (answered, abandoned, overflowed).</summary>
    public void Leave(QueuedCall call)
    {
        lock (_gate)
        {
            if (call.Node is null) return;
            var entry = _queues[call.Queue];
            entry.Waiting.Remove(call.Node);
            call.Node = null;
            call.NextOffer.TrySetCanceled();
            if (entry.Retired && entry.Waiting.Count == 0) _queues.Remove(entry.Name); // Removed by a reload; its last caller left.
        }
        LeaveLine(call);
    }

    /// <summary>1-based position, 0 when no longer queued.</summary>
    public int PositionOf(QueuedCall call)
    {
        lock (_gate)
        {
            if (call.Node is null) return 0;
            var position = 1;
            for (var n = call.Node.List!.First; n is not null && n != call.Node; n = n.Next) position++;
            return position;
        }
    }

    public IReadOnlyList<QueueSnapshot> Snapshot()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            return _queues.Values.Select(q => new QueueSnapshot(q.Name, q.Waiting.Count,
                q.Waiting.First is { } first ? now - first.Value.EnteredAt : TimeSpan.Zero, q.Options.Strategy, q.ServiceLevel)).ToList();
        }
    }

    /// <summary>
    /// Offers the oldest waiting callers to ready agents until no more match: through the shared line across engines
    /// when it is on and Redis answers (<see cref="SharesLine"/>), else among this engine's own callers.
    /// </summary>
    public void Dispatch()
    {
        if (LineUsable()) RequestLinePass();
        else DispatchLocal();
    }

    /// <summary>This engine's own callers only: reserve-then-offer under the queues' lock.</summary>
    private void DispatchLocal()
    {
        if (!_roster.AnyReady()) return;
        lock (_gate)
        {
            var skipped = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                QueuedCall? oldest = null;
                foreach (var q in _queues.Values)
                {
                    if (skipped.Contains(q.Name)) continue;
                    for (var n = q.Waiting.First; n is not null; n = n.Next)
                    {
                        if (n.Value.Offered) continue;
                        if (oldest is null || n.Value.EnteredAt < oldest.EnteredAt) oldest = n.Value;
                        break;
                    }
                }
                if (oldest is null) return;
                var entry = _queues[oldest.Queue];
                var reserved = new List<AgentSnapshot>();
                foreach (var agent in entry.Selector.Select(_roster.ReadyIn(entry.Name)))
                    if (_roster.TryReserve(agent.Id, oldest.CallId)) reserved.Add(agent);
                if (reserved.Count == 0)
                {
                    skipped.Add(entry.Name); // Nobody for this queue now; older callers elsewhere may still match.
                    continue;
                }
                oldest.Offered = true;
                oldest.NextOffer.TrySetResult(reserved);
            }
        }
    }

    private QueueEntry Entry(string queue) =>
        _queues.TryGetValue(queue, out var e) ? e : throw new KeyNotFoundException($"No queue '{queue}' is configured.");

    private sealed class QueueEntry(string name, QueueOptions options, TimeSpan serviceLevel, IAgentSelector selector)
    {
        public string Name { get; } = name;

        // Options, service level and selector change only by a configuration reload (Reconfigure), under the queues' lock.
        public QueueOptions Options { get; set; } = options;
        public TimeSpan ServiceLevel { get; set; } = serviceLevel;
        public IAgentSelector Selector { get; set; } = selector;

        /// <summary>Removed from the configuration while callers wait: no new caller enters; dropped when it empties.</summary>
        public bool Retired { get; set; }

        public LinkedList<QueuedCall> Waiting { get; } = new();
    }
}
