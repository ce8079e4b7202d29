using Hotline.AcdEngine.Hosting;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Agents;

/// <summary>
/// The one owner of every agent's state (STYLE.md: one owner, one door). Each public method is one legal
/// transition; anything else throws <see cref="AgentTransitionException"/> and changes nothing.
/// </summary>
/// <remarks>
/// <see cref="Changed"/> is raised inside the roster's lock so that recorders (events, stats, Redis) see each
/// agent's transitions in order; its handlers must not call back into the roster or the dispatcher.
/// <see cref="BecameReady"/> is raised after the lock is released: the dispatcher offers calls from there.
/// </remarks>
public sealed partial class AgentRoster
{
    private readonly Dictionary<string, Agent> _agents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Agent> _byUser = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private TimeSpan _wrapUp; // Acd:WrapUpSeconds; a reload changes it for calls that end after it (Reconfigure)
    private TimeSpan _busyRetry; // Acd:BusyRetrySeconds; a reload changes it for busy rings after it
    private int _maxBusyInARow; // Acd:MaxBusyInARow (0 = no limit); a reload changes it for busy rings after it

    private readonly IAgentLeases _leases;

    public AgentRoster(IOptions<AgentsOptions> agents, IOptions<IAgentSettings> acd, TimeProvider time, IAgentLeases? leases = null)
    {
        _time = time;
        _leases = leases ?? LocalAgentLeases.Instance;
        // Another engine is done with an agent who is ready here: offer them our waiting calls.
        _leases.Freed += OnFreedElsewhere;
        _wrapUp = TimeSpan.FromSeconds(acd.Value.WrapUpSeconds);
        _busyRetry = TimeSpan.FromSeconds(acd.Value.BusyRetrySeconds);
        _maxBusyInARow = acd.Value.MaxBusyInARow;
        var now = time.GetUtcNow();
        foreach (var o in agents.Value.List)
        {
            var agent = new Agent(o.Id, o.User, new HashSet<string>(o.Queues, StringComparer.Ordinal),
                new Dictionary<string, int>(o.Skills, StringComparer.Ordinal), o.AutoReady) { Since = now, IdleSince = now, TraineeNumber = o.SpokenNumber };
            _agents.Add(o.Id, agent);
            _byUser.Add(o.User, agent);
        }
    }

    /// <summary>Every transition, in order per agent (raised under the roster's lock).</summary>
    public event Action<AgentTransition>? Changed;

    /// <summary>An agent became ready: calls may be offered (raised outside the lock).</summary>
    public event Action<string>? BecameReady;

    public IReadOnlyList<AgentSnapshot> All()
    {
        lock (_gate) return _agents.Values.Select(a => a.Snapshot()).ToList();
    }

    public AgentSnapshot Get(string agentId)
    {
        lock (_gate) return Find(agentId).Snapshot();
    }

    public AgentSnapshot? FindByUser(string user)
    {
        lock (_gate) return _byUser.TryGetValue(user, out var a) ? a.Snapshot() : null;
    }

    public bool IsAutoReady(string agentId)
    {
        lock (_gate) return Find(agentId).AutoReady;
    }

    /// <summary>Signs in every agent configured with AutoReady (at start).</summary>
    public void SignInAutoReadyAgents()
    {
        foreach (var id in _agents.Values.Where(a => a.AutoReady).Select(a => a.Id).ToList())
            SignIn(id, ready: true);
    }

    /// <summary>Reason shown for an agent who asked to be ready while their phone is not registered.</summary>
    public const string NoPhone = "no phone";

    /// <summary>
    /// Reason shown while an agent's phone said busy to a ring (486/600): ready again by itself after
    /// <c>Acd:BusyRetrySeconds</c>. This engine's view of the phone, like <see cref="NoPhone"/>: not told to the others.
    /// </summary>
    public const string Busy = "busy";

    /// <summary>
    /// Reason shown once an agent's phone said busy to <c>Acd:MaxBusyInARow</c> rings in a row with no call answered
    /// between them (do-not-disturb left on, a phone stuck on calls): not ready until the agent says ready. Unlike
    /// <see cref="Busy"/> it needs the agent, so it is told to the other engines like "declined".
    /// </summary>
    public const string AlwaysBusy = "phone always busy";

    /// <summary>Reasons that are this engine's view of the agent's phone, not the agent's wish: never shared.</summary>
    public static bool IsLocalReason(string reason) => reason is NoPhone or Busy;

    /// <summary>
    /// Whether a SIP user has a registered phone (set by the SIP stack; null: not known, e.g. in unit tests). An agent
    /// without one is never Ready: they show "not ready (no phone)" and become ready when the phone registers, so no
    /// caller is put through to a phone that cannot ring (issue 20).
    /// </summary>
    public Func<string, bool>? PhoneRegistered { get; set; }

    public AgentSnapshot SignIn(string agentId, bool ready) =>
        Change(agentId, "sign in", a => a.State == AgentState.SignedOut, a =>
        {
            a.BusyInARow = 0;
            return ready ? ReadyUnlessNoPhone(a) : (AgentState.NotReady, "signed-in");
        });

    /// <summary>Signs out; not while a call rings or is in progress.</summary>
    public AgentSnapshot SignOut(string agentId) =>
        Change(agentId, "sign out", a => a.State is AgentState.Ready or AgentState.NotReady or AgentState.WrapUp, _ => (AgentState.SignedOut, ""));

    /// <summary>Ready (the agent's wish, or their phone registered again): their phone's busy rings in a row start again from 0.</summary>
    public AgentSnapshot SetReady(string agentId) =>
        Change(agentId, "become ready", a => a.State is AgentState.NotReady or AgentState.Ready or AgentState.WrapUp, a =>
        {
            a.BusyInARow = 0;
            return ReadyUnlessNoPhone(a);
        });

    private (AgentState, string) ReadyUnlessNoPhone(Agent agent) =>
        PhoneRegistered is { } registered && !registered(agent.User) ? (AgentState.NotReady, NoPhone) : (AgentState.Ready, "");

    /// <summary>
    /// After a REGISTER changed the bindings: agents held "not ready (no phone)" whose phone is now registered become
    /// ready; ready agents whose phone was removed become "not ready (no phone)".
    /// </summary>
    public void PhonesChanged()
    {
        if (PhoneRegistered is not { } registered) return;
        List<string> toReady = [], toNoPhone = [];
        lock (_gate)
        {
            foreach (var a in _agents.Values)
            {
                var has = registered(a.User);
                if (has && a.State == AgentState.NotReady && a.Reason == NoPhone) toReady.Add(a.Id);
                else if (!has && a.State == AgentState.Ready) toNoPhone.Add(a.Id);
            }
        }
        foreach (var id in toReady) TryChange(() => SetReady(id));
        foreach (var id in toNoPhone) TryChange(() => SetNotReady(id, NoPhone));
    }

    private static void TryChange(Action change)
    {
        try { change(); }
        catch (AgentTransitionException) { /* The agent moved meanwhile (a call, a sign-out): that state wins. */ }
    }

    public AgentSnapshot SetNotReady(string agentId, string reason)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 64)
            throw new ArgumentException("A not-ready reason of 1-64 characters is required.", nameof(reason));
        return Change(agentId, "become not ready", a => a.State is AgentState.Ready or AgentState.NotReady or AgentState.WrapUp, _ => (AgentState.NotReady, reason));
    }

    /// <summary>Ends wrap-up early (CTI CompleteWrapUp).</summary>
    public AgentSnapshot CompleteWrapUp(string agentId) =>
        Change(agentId, "complete wrap-up", a => a.State == AgentState.WrapUp, _ => (AgentState.Ready, ""));

    /// <summary>Reserves a ready agent for a call (Ready → Ringing). False if the agent is no longer ready.</summary>
    internal bool TryReserve(string agentId, string callId)
    {
        lock (_gate)
        {
            var agent = Find(agentId);
            if (agent.State != AgentState.Ready) return false;
            Apply(agent, AgentState.Ringing, "", callId);
            return true;
        }
    }

    /// <summary>
    /// After the reservation, before the agent's phone is dialled: takes the agent's lease (<see cref="IAgentLeases"/>).
    /// Refused (another engine rings them, talks with them, or has them in wrap-up or RONA) → the reservation is undone
    /// (Ringing → Ready) and the agent is not offered here again until the other engine frees them.
    /// </summary>
    internal async Task<bool> TryLeaseAsync(string agentId, string callId)
    {
        if (await _leases.TryAcquireAsync(agentId, callId)) return true;
        var marked = false;
        lock (_gate)
        {
            var agent = Find(agentId);
            if (agent.State == AgentState.Ringing && agent.CallId == callId)
            {
                marked = !agent.HeldElsewhere;
                agent.HeldElsewhere = true;
                Apply(agent, AgentState.Ready, "", null);
            }
        }
        // Freed between the refusal and the mark above: that notice was missed, look again.
        if (!await _leases.IsHeldElsewhereAsync(agentId)) OnFreedElsewhere(agentId);
        else if (marked) _ = WatchHeldElsewhereAsync(agentId);
        return false;
    }

    /// <summary>An engine that died frees nothing: its lease just expires. Look again every few seconds.</summary>
    private async Task WatchHeldElsewhereAsync(string agentId)
    {
        while (true)
        {
            await Task.Delay(HeldElsewhereRecheck, _time);
            lock (_gate)
            {
                if (!_agents.TryGetValue(agentId, out var held) || !held.HeldElsewhere) return;
            }
            if (!await _leases.IsHeldElsewhereAsync(agentId))
            {
                OnFreedElsewhere(agentId);
                return;
            }
        }
    }

    private static readonly TimeSpan HeldElsewhereRecheck = TimeSpan.FromSeconds(5);

    private void OnFreedElsewhere(string agentId)
    {
        bool ready;
        lock (_gate)
        {
            if (!_agents.TryGetValue(agentId, out var agent)) return;
            agent.HeldElsewhere = false;
            ready = agent.State == AgentState.Ready;
        }
        if (ready) BecameReady?.Invoke(agentId);
    }

    /// <summary>The agent answered the call it was ringing for (Ringing → Talking).</summary>
    internal void Connect(string agentId, string callId) =>
        Change(agentId, "answer " + callId, a => a.State == AgentState.Ringing && a.CallId == callId, a =>
        {
            a.BusyInARow = 0;
            return (AgentState.Talking, "");
        }, callId);

    /// <summary>
    /// A ring ended without this agent taking the call: back to ready (cancelled) or not ready with a reason
    /// (RONA, declined, unreachable). Busy (<see cref="Busy"/>) ends by itself after <c>Acd:BusyRetrySeconds</c>, unless
    /// it is the <c>Acd:MaxBusyInARow</c>-th busy ring in a row: then <see cref="AlwaysBusy"/>, until the agent says ready.
    /// Returns the agent after the change.
    /// </summary>
    internal AgentSnapshot ReleaseRing(string agentId, string callId, string? notReadyReason)
    {
        var after = Change(agentId, "stop ringing for " + callId, a => a.State == AgentState.Ringing && a.CallId == callId, a =>
        {
            if (notReadyReason is null) return (AgentState.Ready, "");
            if (notReadyReason != Busy) return (AgentState.NotReady, notReadyReason);
            a.BusyInARow++;
            return (AgentState.NotReady, _maxBusyInARow > 0 && a.BusyInARow >= _maxBusyInARow ? AlwaysBusy : Busy);
        });
        if (after.State != AgentState.NotReady || after.Reason != Busy) return after;
        lock (_gate)
        {
            if (!_agents.TryGetValue(agentId, out var agent) || agent.State != AgentState.NotReady || agent.Reason != Busy) return after;
            var sequence = agent.Sequence;
            agent.BusyTimer?.Dispose();
            agent.BusyTimer = _time.CreateTimer(_ => OnBusyOver(agentId, sequence), null, _busyRetry, Timeout.InfiniteTimeSpan);
        }
        return after;
    }

    /// <summary>The busy back-off is over: ready again, unless anything changed the agent meanwhile.</summary>
    private void OnBusyOver(string agentId, long sequence)
    {
        bool ready;
        lock (_gate)
        {
            if (!_agents.TryGetValue(agentId, out var agent)) return;
            agent.BusyTimer?.Dispose();
            agent.BusyTimer = null;
            if (agent.Sequence != sequence || agent.State != AgentState.NotReady || agent.Reason != Busy) return;
            var (to, reason) = ReadyUnlessNoPhone(agent);
            Apply(agent, to, reason, null);
            ready = agent.State == AgentState.Ready;
        }
        if (ready) BecameReady?.Invoke(agentId);
    }

    /// <summary>
    /// The agent's call ended (Talking → WrapUp, or Ready when there is no wrap-up time). The task completes with
    /// the wrap-up duration when the agent leaves wrap-up (timer, CTI, or sign-out).
    /// </summary>
    internal Task<TimeSpan> EndCall(string agentId, string callId)
    {
        TaskCompletionSource<TimeSpan> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var wrapUp = _wrapUp > TimeSpan.Zero;
        Change(agentId, "end call " + callId, a => a.State == AgentState.Talking && a.CallId == callId,
            a =>
            {
                a.CallsHandledToday = CountToday(a) + 1;
                if (!wrapUp) return (AgentState.Ready, "");
                a.WrapUpDone = done;
                var generation = ++a.WrapUpGeneration;
                a.WrapUpTimer = _time.CreateTimer(_ => OnWrapUpTimer(a.Id, generation), null, _wrapUp, Timeout.InfiniteTimeSpan);
                return (AgentState.WrapUp, "");
            }, callId);
        if (!wrapUp) done.TrySetResult(TimeSpan.Zero);
        return done.Task;
    }

    private void OnWrapUpTimer(string agentId, long generation)
    {
        bool ready;
        lock (_gate)
        {
            // The agent may have been removed by a reload meanwhile: nothing to end.
            if (!_agents.TryGetValue(agentId, out var agent)) return;
            if (agent.State != AgentState.WrapUp || agent.WrapUpGeneration != generation) return;
            Apply(agent, AgentState.Ready, "", null, agent.WrapUpElsewhere ? TransitionOrigin.Elsewhere : TransitionOrigin.Local);
            ready = agent.State == AgentState.Ready;
        }
        if (ready) BecameReady?.Invoke(agentId);
    }

    private AgentSnapshot Change(string agentId, string action, Func<Agent, bool> allowed, Func<Agent, (AgentState, string)> target, string? callId = null)
    {
        AgentSnapshot result;
        bool ready;
        lock (_gate)
        {
            var agent = Find(agentId);
            if (!allowed(agent)) throw new AgentTransitionException(agentId, agent.State, action);
            var (to, reason) = target(agent);
            Apply(agent, to, reason, to is AgentState.Ringing or AgentState.Talking or AgentState.WrapUp ? callId ?? agent.CallId : null);
            result = agent.Snapshot();
            ready = agent.State == AgentState.Ready; // Not "to": a change made elsewhere during the call may replace it.
        }
        if (ready) BecameReady?.Invoke(agentId);
        return result;
    }

    private void Apply(Agent agent, AgentState to, string reason, string? callId, TransitionOrigin origin = TransitionOrigin.Local)
    {
        var now = _time.GetUtcNow();
        var from = agent.State;
        if (to == AgentState.Ready && origin == TransitionOrigin.Local && agent.PendingShared is { } pending)
        {
            // Another engine changed the agent while a call of ours held them: that change now, not ready.
            agent.PendingShared = null;
            if (from is not (AgentState.Ready or AgentState.SignedOut)) _leases.Release(agent.Id);
            (to, reason) = pending; // Local: written to Redis and told again (a no-op for engines that have it already).
        }
        // Not ready (a RONA) or signed out here, after the change made elsewhere: this one is newer, the waiting one goes.
        else if (origin == TransitionOrigin.Local && to is AgentState.NotReady or AgentState.SignedOut) agent.PendingShared = null;
        if (from == AgentState.WrapUp && to != AgentState.WrapUp)
        {
            agent.WrapUpElsewhere = false;
            agent.WrapUpTimer?.Dispose();
            agent.WrapUpTimer = null;
            agent.WrapUpGeneration++;
            agent.WrapUpDone?.TrySetResult(now - agent.Since);
            agent.WrapUpDone = null;
        }
        if (from == to && agent.Reason == reason && agent.CallId == callId) return; // Ready → Ready: nothing to record.
        // The lease taken before dialling is held through ringing, talk, wrap-up and a RONA's not-ready (so no other
        // engine rings the agent meanwhile) and given back once they are ready again or sign out.
        if (to is AgentState.Ready or AgentState.SignedOut && from is not (AgentState.Ready or AgentState.SignedOut)) _leases.Release(agent.Id);
        agent.State = to;
        agent.Reason = reason;
        agent.CallId = callId;
        agent.Since = now;
        if (to == AgentState.Ready) agent.IdleSince = now;
        agent.Sequence++;
        Changed?.Invoke(new AgentTransition(agent.Id, from, to, reason, callId, now, agent.Sequence) { Origin = origin });
        DropIfRetired(agent);
    }

    private int CountToday(Agent agent)
    {
        var today = DateOnly.FromDateTime(_time.GetLocalNow().DateTime);
        if (agent.CallsCountedOn != today)
        {
            agent.CallsCountedOn = today;
            agent.CallsHandledToday = 0;
        }
        return agent.CallsHandledToday;
    }

    private Agent Find(string agentId) =>
        _agents.TryGetValue(agentId, out var agent) ? agent : throw new UnknownAgentException(agentId);

    /// <summary>Agents ready now in <paramref name="queue"/> (for the dispatcher; called under its lock).</summary>
    internal List<AgentSnapshot> ReadyIn(string queue)
    {
        lock (_gate)
        {
            var list = new List<AgentSnapshot>();
            foreach (var a in _agents.Values)
                if (a.State == AgentState.Ready && !a.HeldElsewhere && a.Queues.Contains(queue)) list.Add(a.Snapshot());
            return list;
        }
    }

    /// <summary>Agents of <paramref name="queue"/> taking calls now: ready, ringing, talking or in wrap-up.</summary>
    internal int StaffedIn(string queue)
    {
        lock (_gate)
            return _agents.Values.Count(a => a.Queues.Contains(queue) && a.State is AgentState.Ready or AgentState.Ringing or AgentState.Talking or AgentState.WrapUp);
    }

    internal bool AnyReady()
    {
        lock (_gate) return _agents.Values.Any(a => a.State == AgentState.Ready && !a.HeldElsewhere);
    }
}
