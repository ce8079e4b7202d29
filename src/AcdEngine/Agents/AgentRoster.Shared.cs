namespace Hotline.AcdEngine.Agents;

public sealed partial class AgentRoster
{
    /// <summary>
    /// The states another engine tells this one (<see cref="SharedAgentStates"/>): an agent's presence, not their calls.
    /// Ringing and talking belong to the engine with the call; the agent's lease keeps the others from ringing them.
    /// </summary>
    public static bool IsShared(AgentState state) => state is AgentState.SignedOut or AgentState.Ready or AgentState.NotReady or AgentState.WrapUp;

    /// <summary>
    /// Applies a change another engine made (signed in or out, ready, not ready with its reason, wrap-up) without
    /// recording or telling it again. While a call of this engine holds the agent (ringing, talking) the change waits
    /// until that call leaves them (then it replaces their becoming ready); a wrap-up from elsewhere then is ignored
    /// (this call's own wrap-up comes). A wrap-up from elsewhere ends by itself
    /// after this engine's wrap-up time if the other engine never says ready (it may have died meanwhile).
    /// </summary>
    public void ApplyShared(string agentId, AgentState to, string reason)
    {
        if (!IsShared(to)) return;
        bool ready;
        lock (_gate)
        {
            if (!_agents.TryGetValue(agentId, out var agent) || agent.Retired) return;
            if (agent.State is AgentState.Ringing or AgentState.Talking)
            {
                // Another engine's wrap-up while a call here holds the agent (both leased them without a Redis master) is
                // that engine's call ending, not a wish for the agent: this call's own wrap-up follows, then ready. Kept,
                // it became the end of this call's wrap-up — no timer, no end: the call never ended (run 39).
                if (to == AgentState.WrapUp) return;
                agent.PendingShared = to == AgentState.Ready ? null : (to, reason);
                return;
            }
            if (to == AgentState.WrapUp)
            {
                if (agent.State == AgentState.WrapUp) return;
                Apply(agent, AgentState.WrapUp, "", null, TransitionOrigin.Elsewhere);
                agent.WrapUpElsewhere = true;
                var generation = ++agent.WrapUpGeneration;
                var wrapUp = _wrapUp > TimeSpan.Zero ? _wrapUp : TimeSpan.FromSeconds(1);
                agent.WrapUpTimer = _time.CreateTimer(_ => OnWrapUpTimer(agentId, generation), null, wrapUp, Timeout.InfiniteTimeSpan);
            }
            else Apply(agent, to, reason, null, TransitionOrigin.Elsewhere);
            ready = agent.State == AgentState.Ready;
        }
        if (ready) BecameReady?.Invoke(agentId);
    }

    /// <summary>
    /// At start, the state Redis holds for a signed-out agent (a restart, or another engine's agents): ready when they
    /// were ready, ringing, talking or in wrap-up (a call of another engine is guarded by its lease), not ready with the
    /// stored reason (but "busy": ready). Recorded as an agent event here, not told to the others (they have it).
    /// </summary>
    public void Restore(string agentId, AgentState stored, string reason)
    {
        if (stored == AgentState.SignedOut) return;
        bool ready;
        lock (_gate)
        {
            var agent = Find(agentId);
            if (agent.State != AgentState.SignedOut) return;
            // "Busy" ends by itself on the engine that saw it; stored, it would never end here.
            var (to, why) = stored == AgentState.NotReady && reason != Busy ? (AgentState.NotReady, reason.Length > 0 ? reason : "signed-in") : ReadyUnlessNoPhone(agent);
            Apply(agent, to, why, null, TransitionOrigin.Restored);
            ready = agent.State == AgentState.Ready;
        }
        if (ready) BecameReady?.Invoke(agentId);
    }
}
