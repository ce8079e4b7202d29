namespace Hotline.AcdEngine.Agents;

/// <summary>Where an agent is. Changes only through <see cref="AgentRoster"/> (one door).</summary>
public enum AgentState
{
    SignedOut,
    Ready,
    NotReady,
    Ringing,
    Talking,
    WrapUp,
}

/// <summary>One change of an agent's state, as the roster made it; Sequence is 1, 2, 3… per agent since start.</summary>
public sealed record AgentTransition(string AgentId, AgentState From, AgentState To, string Reason, string? CallId, DateTimeOffset At, long Sequence)
{
    /// <summary>Who made the change: this engine, a restart reading Redis back, or another engine (shared agent states).</summary>
    public TransitionOrigin Origin { get; init; }
}

/// <summary>
/// Where an agent transition comes from (docs/scaling.md, shared agent states): only a <see cref="Local"/> one is told to
/// the other engines and written to Redis; an <see cref="Elsewhere"/> one was recorded by the engine that made it.
/// </summary>
public enum TransitionOrigin
{
    /// <summary>Made here: a CTI request, a feature code, a call, a timer.</summary>
    Local,

    /// <summary>This engine's start, from the state Redis holds (already there; recorded as an agent event as before).</summary>
    Restored,

    /// <summary>Made on another engine and applied here: not recorded, written or published again.</summary>
    Elsewhere,
}

/// <summary>An illegal agent transition was asked for (e.g. ready while talking): nothing changed.</summary>
public sealed class AgentTransitionException(string agentId, AgentState from, string action)
    : InvalidOperationException($"Agent {agentId} cannot {action} while {from}.")
{
    public string AgentId { get; } = agentId;
    public AgentState From { get; } = from;
}

/// <summary>No agent with that id is configured.</summary>
public sealed class UnknownAgentException(string agentId) : KeyNotFoundException($"No agent '{agentId}' is configured.")
{
    public string AgentId { get; } = agentId;
}
