using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Stats;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.TestSupport;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hotline.AcdEngine.Tests.Stats;

/// <summary>The wallboard's one-hotline figures from several engines' snapshots (issue 19, docs/scaling.md).</summary>
[TestFixture]
public sealed class HotlineFiguresTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlySet<string> General = new HashSet<string> { "general" };

    private static QueueStatsView Queue(int waiting, long longest, int ready, int talking, int offered, int answered, int within, long asa, double sl15) =>
        new("general", waiting, longest, ready, 0, talking, 0, 0, offered, answered, 0, within, answered == 0 ? 0 : (double)within / answered, sl15, asa, 15_000);

    [Test]
    public void Queues_are_summed_and_each_agent_counted_once_from_the_engine_with_their_call()
    {
        // a1 talks on e2 (ready on e1, guarded by the lease); a2 is ready on both.
        var e1 = new StatsView(T0, "e1", [Queue(2, 30_000, 2, 0, 10, 8, 8, 4_000, 1.0)],
            [new("a1", AgentState.Ready, "", T0, 3, null), new("a2", AgentState.Ready, "", T0, 1, null)]);
        var e2 = new StatsView(T0, "e2", [Queue(1, 50_000, 1, 1, 10, 2, 0, 20_000, 0.0)],
            [new("a1", AgentState.Talking, "", T0, 2, "c-9"), new("a2", AgentState.Ready, "", T0, 0, null)]);

        var hotline = HotlineFigures.Combine(e1, [e2], _ => General);
        var q = hotline.Queues.Single();
        Assert.Multiple(() =>
        {
            Assert.That((q.Waiting, q.LongestWaitMs, q.OfferedToday, q.AnsweredToday), Is.EqualTo((3, 50_000L, 20, 10)));
            Assert.That((q.AgentsReady, q.AgentsTalking), Is.EqualTo((1, 1)), "a1 talking, a2 ready: two agents, not four");
            Assert.That(q.ServiceLevelToday, Is.EqualTo(0.8).Within(1e-9));
            Assert.That(q.AverageSpeedOfAnswerMs, Is.EqualTo((8 * 4_000 + 2 * 20_000) / 10));
            Assert.That(q.ServiceLevel15m, Is.EqualTo(0.8).Within(1e-9));
            var a1 = hotline.Agents.Single(a => a.AgentId == "a1");
            Assert.That((a1.Status, a1.CallId, a1.CallsHandledToday), Is.EqualTo((AgentState.Talking, "c-9", 5)));
        });
        Assert.That(HotlineFigures.Combine(e1, [], _ => General), Is.SameAs(e1), "one engine alone: its own figures");
    }

    [Test]
    public async Task An_engine_reads_the_other_live_engines_figures_from_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        using var one = new AcdHarness();
        using var two = new AcdHarness();
        await using var m1 = await RedisMirror.ConnectAsync(redis.ConnectionString, Options.Create(new NodeOptions { Id = "e1" }), new ListLogger<RedisMirror>());
        await using var m2 = await RedisMirror.ConnectAsync(redis.ConnectionString, Options.Create(new NodeOptions { Id = "e2" }), new ListLogger<RedisMirror>());
        await using var other = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await other.GetDatabase().SetAddAsync(RedisMirror.NodesKey, ["e1", "e2", "e-gone"]);
        two.Ready("a1");
        Assert.That(await m1.WriteStatsAsync(one.Stats.Snapshot()), Is.True);
        Assert.That(await m2.WriteStatsAsync(two.Stats.Snapshot()), Is.True);

        var others = await m1.ReadOtherNodesAsync(two.Time.GetUtcNow(), TimeSpan.FromSeconds(3));
        Assert.That(others, Has.Count.EqualTo(1), "not itself, not a node without figures");
        Assert.That(others[0].Agents.Single(a => a.AgentId == "a1").Status, Is.EqualTo(AgentState.Ready), "engine two's figures");
        one.Stats.OtherNodes = others;
        var hotline = one.Stats.HotlineSnapshot();
        Assert.That(hotline.Agents.Single(a => a.AgentId == "a1").Status, Is.EqualTo(AgentState.SignedOut),
            "a state is shared through the roster, not the figures: engine one's own view stands");
        Assert.That(await m1.ReadOtherNodesAsync(two.Time.GetUtcNow().AddSeconds(10), TimeSpan.FromSeconds(3)), Is.Empty, "stale figures drop out");
    }
}
