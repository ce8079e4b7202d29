using Hotline.AcdEngine.Agents;

namespace Hotline.AcdEngine.Queues;

/// <summary>How a queue picks among its ready agents (<c>Acd:Queues:&lt;name&gt;:Strategy</c>).</summary>
public enum QueueStrategy
{
    /// <summary>The agent ready for the longest time (default: spreads work evenly in time).</summary>
    LongestIdle,
    /// <summary>Agents in turn, continuing after the last one offered.</summary>
    RoundRobin,
    /// <summary>The agent who handled the fewest calls today.</summary>
    FewestCalls,
    /// <summary>Every ready agent rings at once; the first to answer takes the call.</summary>
    RingAll,
    /// <summary>Agents with the queue's skill, lowest penalty tier first, longest idle within a tier.</summary>
    Skills,
}

/// <summary>Orders a queue's ready agents for one call; the first is rung (all of them for ring-all).</summary>
public interface IAgentSelector
{
    /// <summary>Agents to ring, best first; empty when none fits.</summary>
    IReadOnlyList<AgentSnapshot> Select(IReadOnlyList<AgentSnapshot> ready);
}

internal sealed class LongestIdleSelector : IAgentSelector
{
    public IReadOnlyList<AgentSnapshot> Select(IReadOnlyList<AgentSnapshot> ready) =>
        ready.Count == 0 ? [] : [ready.OrderBy(a => a.IdleSince).ThenBy(a => a.Id, StringComparer.Ordinal).First()];
}

internal sealed class FewestCallsSelector : IAgentSelector
{
    public IReadOnlyList<AgentSnapshot> Select(IReadOnlyList<AgentSnapshot> ready) =>
        ready.Count == 0 ? [] : [ready.OrderBy(a => a.CallsHandledToday).ThenBy(a => a.IdleSince).ThenBy(a => a.Id, StringComparer.Ordinal).First()];
}

internal sealed class RingAllSelector : IAgentSelector
{
    public IReadOnlyList<AgentSnapshot> Select(IReadOnlyList<AgentSnapshot> ready) =>
        ready.OrderBy(a => a.Id, StringComparer.Ordinal).ToList();
}

/// <summary>Round robin: the next agent id after the one offered last (ids in ordinal order, wrapping).</summary>
internal sealed class RoundRobinSelector : IAgentSelector
{
    private string? _last;

    public IReadOnlyList<AgentSnapshot> Select(IReadOnlyList<AgentSnapshot> ready)
    {
        if (ready.Count == 0) return [];
        var ordered = ready.OrderBy(a => a.Id, StringComparer.Ordinal).ToList();
        var next = _last is null ? ordered[0] : ordered.FirstOrDefault(a => string.CompareOrdinal(a.Id, _last) > 0) ?? ordered[0];
        _last = next.Id;
        return [next];
    }
}

/// <summary>Skills with penalty tiers: only agents with the skill; tier 0 before tier 1, …; longest idle within a tier.</summary>
internal sealed class SkillsSelector(string skill) : IAgentSelector
{
    public IReadOnlyList<AgentSnapshot> Select(IReadOnlyList<AgentSnapshot> ready)
    {
        AgentSnapshot? best = null;
        var bestPenalty = int.MaxValue;
        foreach (var a in ready)
        {
            if (!a.Skills.TryGetValue(skill, out var penalty)) continue;
            if (penalty < bestPenalty || (penalty == bestPenalty && a.IdleSince < best!.IdleSince))
            {
                best = a;
                bestPenalty = penalty;
            }
        }
        return best is null ? [] : [best];
    }
}

public static class AgentSelectors
{
    public static IAgentSelector For(QueueStrategy strategy, string skill) => strategy switch
    {
        QueueStrategy.LongestIdle => new LongestIdleSelector(),
        QueueStrategy.RoundRobin => new RoundRobinSelector(),
        QueueStrategy.FewestCalls => new FewestCallsSelector(),
        QueueStrategy.RingAll => new RingAllSelector(),
        QueueStrategy.Skills => new SkillsSelector(skill),
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown queue strategy."),
    };
}
