using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Queues;
using Hotline.TestSupport;
using StackExchange.Redis;

namespace Hotline.AcdEngine.Tests.Queues;

/// <summary>
/// One waiting line per queue across two engines on a real redis-server: first come, first served whichever engine
/// holds the caller; a caller and an agent are matched once, atomically with the agent's lease; a dead engine's
/// callers can be taken out of the line.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SharedQueueLineTests : TwoEnginesOnRedis
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static SharedQueueLine Line(IConnectionMultiplexer redis, string node) => new(redis, node, TimeSpan.FromSeconds(30));

    [Test]
    public async Task An_agent_freed_on_one_engine_is_offered_the_oldest_caller_waiting_on_the_other()
    {
        var e1 = Line(A, "e1");
        var e2 = Line(B, "e2");
        var offers = new TaskCompletionSource<(string Call, string Agent)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await e1.SubscribeOffersAsync((call, agent) => offers.TrySetResult((call, agent)));
        await e1.JoinAsync("general", "c-old", T0);
        await e2.JoinAsync("general", "c-new", T0.AddSeconds(5));

        Assert.That(await e2.PositionAsync("general", "c-new"), Is.EqualTo(2), "behind engine 1's caller");
        // Engine 2's caller asks for engine 2's free agent: refused, engine 1's caller came first.
        Assert.That(await e2.TryClaimAgentAsync("general", "c-new", ["a7"]), Is.Null);

        var claimed = await e2.TryClaimOldestAsync("general", "a7");
        Assert.That(claimed, Is.EqualTo(("e1", "c-old")));
        Assert.That(await offers.Task.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(("c-old", "a7")), "engine 1 is told to ring a7");
        Assert.That((string?)await A.GetDatabase().StringGetAsync(RedisAgentLeases.Key("a7")), Is.EqualTo("e1|c-old"),
            "the lease belongs to the engine that rings the agent");
        Assert.That(await e2.PositionAsync("general", "c-new"), Is.EqualTo(1));
        Assert.That(await e1.TryClaimOldestAsync("general", "a7"), Is.Null, "a7 is leased: not offered twice");
    }

    [Test]
    public async Task The_head_caller_takes_the_first_free_candidate_in_the_strategy_order()
    {
        var e1 = Line(A, "e1");
        var e2 = Line(B, "e2");
        await e1.JoinAsync("general", "c1", T0);
        await B.GetDatabase().StringSetAsync(RedisAgentLeases.Key("a1"), "e2|other", TimeSpan.FromSeconds(30));

        Assert.That(await e1.TryClaimAgentAsync("general", "c1", ["a1", "a2", "a3"]), Is.EqualTo("a2"), "a1 is busy on engine 2");
        Assert.Multiple(async () =>
        {
            Assert.That((string?)await A.GetDatabase().StringGetAsync(RedisAgentLeases.Key("a2")), Is.EqualTo("e1|c1"));
            Assert.That(await e1.PositionAsync("general", "c1"), Is.Null, "answered callers leave the line");
            Assert.That(await e2.TryClaimOldestAsync("general", "a3"), Is.Null, "nobody is waiting");
        });
    }

    [Test]
    public async Task Agents_freed_at_once_on_two_engines_take_each_caller_once_in_arrival_order()
    {
        var e1 = Line(A, "e1");
        var e2 = Line(B, "e2");
        for (var i = 0; i < 40; i++)
            await (i % 2 == 0 ? e1 : e2).JoinAsync("general", $"c{i:D2}", T0.AddMilliseconds(i * 10));

        // 40 agents, freed on both engines at the same moment, each asking for the oldest caller.
        var claims = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? e1 : e2).TryClaimOldestAsync("general", $"a{i}")));
        var callers = claims.Select(c => c!.Value.CallId).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(claims, Has.All.Not.Null);
            Assert.That(callers, Is.Unique, "no caller offered two agents");
            Assert.That(callers.Order(StringComparer.Ordinal), Is.EqualTo(Enumerable.Range(0, 40).Select(i => $"c{i:D2}")));
            Assert.That(claims.Select(c => c!.Value.Node), Is.EqualTo(callers.Select(c => int.Parse(c[1..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 0 ? "e1" : "e2")),
                "each caller stays with the engine holding their media");
            Assert.That(await A.GetDatabase().SortedSetLengthAsync(SharedQueueLine.LineKey("general")), Is.Zero);
        });
    }

    [Test]
    public async Task A_dead_engines_callers_are_taken_out_of_every_line_and_named()
    {
        var e1 = Line(A, "e1");
        var e2 = Line(B, "e2");
        await e1.JoinAsync("general", "c1", T0);
        await e2.JoinAsync("general", "c2", T0.AddSeconds(1));
        await e1.JoinAsync("water", "c3", T0.AddSeconds(2));

        var gone = await e2.RemoveNodeAsync("e1", ["general", "water"]);
        Assert.That(gone, Is.EquivalentTo(new[] { "c1", "c3" }));
        Assert.That(await e2.PositionAsync("general", "c2"), Is.EqualTo(1), "the survivors' callers move up");
    }
}
