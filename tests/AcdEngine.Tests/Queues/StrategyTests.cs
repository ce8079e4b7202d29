using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Tests.Fakes;

namespace Hotline.AcdEngine.Tests.Queues;

/// <summary>Each queue strategy picks the agent its definition says, through the real dispatcher.</summary>
[TestFixture]
public sealed class StrategyTests
{
    private static AcdHarness Harness(QueueStrategy strategy, params AgentOptions[] agents)
    {
        var o = AcdHarness.DefaultOptions();
        o.Queues["general"].Strategy = strategy;
        return new AcdHarness(o, agents.Length > 0 ? agents : [AcdHarness.Agent("a1", "1001"), AcdHarness.Agent("a2", "1002"), AcdHarness.Agent("a3", "1003")]);
    }

    /// <summary>Queues a call and returns the agents the dispatcher reserved for it.</summary>
    private static async Task<IReadOnlyList<string>> OfferOne(AcdHarness acd, string callId)
    {
        var queued = acd.Queues.TryEnqueue(callId, "general", out _)!;
        var offer = await acd.Queues.NextOfferAsync(queued).WaitAsync(TimeSpan.FromSeconds(5));
        acd.Queues.Leave(queued);
        return offer.Select(a => a.Id).ToList();
    }

    private static void Finish(AcdHarness acd, string agentId, string callId)
    {
        acd.Roster.Connect(agentId, callId);
        _ = acd.Roster.EndCall(agentId, callId);
        acd.Roster.CompleteWrapUp(agentId);
    }

    [Test]
    public async Task Longest_idle_picks_the_agent_ready_the_longest()
    {
        using var acd = Harness(QueueStrategy.LongestIdle);
        acd.Ready("a2", "a3", "a1");
        Assert.That(await OfferOne(acd, "c1"), Is.EqualTo(new[] { "a2" }));
        Finish(acd, "a2", "c1");
        Assert.That(await OfferOne(acd, "c2"), Is.EqualTo(new[] { "a3" }), "a2 just became ready again");
    }

    [Test]
    public async Task Round_robin_takes_agents_in_turn()
    {
        using var acd = Harness(QueueStrategy.RoundRobin);
        acd.Ready("a3", "a2", "a1");
        var picked = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var agent = (await OfferOne(acd, "c" + i)).Single();
            picked.Add(agent);
            Finish(acd, agent, "c" + i);
        }
        Assert.That(picked, Is.EqualTo(new[] { "a1", "a2", "a3", "a1" }));
    }

    [Test]
    public async Task Fewest_calls_prefers_the_agent_with_fewest_handled_today()
    {
        using var acd = Harness(QueueStrategy.FewestCalls);
        acd.Ready("a1", "a2");
        foreach (var c in new[] { "x1", "x2" })
        {
            acd.Roster.TryReserve("a1", c);
            Finish(acd, "a1", c);
        }
        acd.Roster.TryReserve("a2", "y1");
        Finish(acd, "a2", "y1");
        acd.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.That(await OfferOne(acd, "c1"), Is.EqualTo(new[] { "a2" }), "a2 handled 1, a1 handled 2");
    }

    [Test]
    public async Task Ring_all_reserves_every_ready_agent()
    {
        using var acd = Harness(QueueStrategy.RingAll);
        acd.Ready("a1", "a3");
        Assert.That(await OfferOne(acd, "c1"), Is.EquivalentTo(new[] { "a1", "a3" }));
        Assert.That(acd.Roster.Get("a2").State, Is.EqualTo(AgentState.SignedOut));
    }

    [Test]
    public async Task Skills_take_the_lowest_penalty_tier_first_and_skip_agents_without_the_skill()
    {
        var expert = AcdHarness.Agent("expert", "1001");
        expert.Skills["general"] = 0;
        var backup = AcdHarness.Agent("backup", "1002");
        backup.Skills["general"] = 2;
        var none = AcdHarness.Agent("none", "1003");
        using var acd = Harness(QueueStrategy.Skills, none, backup, expert);
        acd.Ready("none", "backup", "expert");
        Assert.That(await OfferOne(acd, "c1"), Is.EqualTo(new[] { "expert" }));
        Assert.That(await OfferOne(acd, "c2"), Is.EqualTo(new[] { "backup" }), "tier 2 when tier 0 is busy");
        var queued = acd.Queues.TryEnqueue("c3", "general", out _)!;
        Assert.That(acd.Queues.NextOfferAsync(queued).IsCompleted, Is.False, "the agent without the skill is never offered");
    }

    [Test]
    public void The_oldest_caller_is_offered_first()
    {
        using var acd = Harness(QueueStrategy.LongestIdle);
        var first = acd.Queues.TryEnqueue("c1", "general", out var p1)!;
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        var second = acd.Queues.TryEnqueue("c2", "general", out var p2)!;
        Assert.That((p1, p2), Is.EqualTo((1, 2)));
        acd.Ready("a1");
        Assert.That(acd.Queues.NextOfferAsync(first).IsCompletedSuccessfully, Is.True);
        Assert.That(acd.Queues.NextOfferAsync(second).IsCompleted, Is.False);
        Assert.That(acd.Queues.PositionOf(second), Is.EqualTo(2));
        acd.Queues.Leave(first);
        Assert.That(acd.Queues.PositionOf(second), Is.EqualTo(1));
    }
}
