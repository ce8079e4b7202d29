using Hotline.AcdEngine.Agents;

namespace Hotline.AcdEngine.Stats;

/// <summary>
/// One hotline's live figures from every live engine's snapshot (issue 19: the wallboard shows one hotline, whichever
/// engine it watches). Per queue: waiting callers and today's counts are summed, the longest wait is the longest,
/// today's service level and average speed of answer are recomputed from the sums; the last 15 minutes' service level
/// is the answered-weighted mean of the engines' (each engine keeps its own 15-minute window). Agents are shared by every
/// engine, so each is counted once: the engine that has the agent ringing or talking knows it (the others see them
/// ready, guarded by the lease); otherwise this engine's shared state stands. Calls handled today are summed.
/// </summary>
public static class HotlineFigures
{
    public static StatsView Combine(StatsView own, IReadOnlyList<StatsView> others, Func<string, IReadOnlySet<string>?> queuesOf)
    {
        if (others.Count == 0) return own;
        var agents = new Dictionary<string, AgentStatsView>(StringComparer.Ordinal);
        foreach (var a in own.Agents) agents[a.AgentId] = a;
        foreach (var a in others.SelectMany(v => v.Agents))
        {
            if (!agents.TryGetValue(a.AgentId, out var known))
            {
                agents[a.AgentId] = a;
                continue;
            }
            var handled = known.CallsHandledToday + a.CallsHandledToday;
            agents[a.AgentId] = (HoldsCall(a.Status) && !HoldsCall(known.Status) ? a : known) with { CallsHandledToday = handled };
        }
        var all = new List<StatsView>(others.Count + 1) { own };
        all.AddRange(others);
        var queues = new List<QueueStatsView>();
        foreach (var name in all.SelectMany(v => v.Queues).Select(q => q.Queue).Distinct(StringComparer.Ordinal))
        {
            var parts = all.SelectMany(v => v.Queues).Where(q => q.Queue == name).ToList();
            var first = parts[0];
            var answered = parts.Sum(p => p.AnsweredToday);
            var within = parts.Sum(p => p.AnsweredWithinServiceLevelToday);
            int By(AgentState s) => agents.Values.Count(a => a.Status == s && queuesOf(a.AgentId) is { } q && q.Contains(name));
            queues.Add(new QueueStatsView(name, parts.Sum(p => p.Waiting), parts.Max(p => p.LongestWaitMs),
                By(AgentState.Ready), By(AgentState.Ringing), By(AgentState.Talking), By(AgentState.WrapUp), By(AgentState.NotReady),
                parts.Sum(p => p.OfferedToday), answered, parts.Sum(p => p.AbandonedToday), within,
                answered == 0 ? 0 : (double)within / answered,
                answered == 0 ? parts.Average(p => p.ServiceLevel15m) : parts.Sum(p => p.ServiceLevel15m * p.AnsweredToday) / answered,
                answered == 0 ? 0 : parts.Sum(p => p.AverageSpeedOfAnswerMs * p.AnsweredToday) / answered,
                first.ServiceLevelMs));
        }
        return new StatsView(own.At, own.NodeId, queues, [.. agents.Values]);
    }

    private static bool HoldsCall(AgentState s) => s is AgentState.Ringing or AgentState.Talking;
}
