using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Tests.Fakes;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Routing;

/// <summary>Many callers, few agents: first come first served, never two calls per agent, every event in order.</summary>
[TestFixture]
public sealed class ManyCallersTests
{
    [Test]
    public async Task Twelve_callers_three_agents_all_answered_in_arrival_order_with_no_agent_double_booked()
    {
        var o = AcdHarness.DefaultOptions();
        o.RingTimeoutSeconds = 120; // The first agents ring while the later callers arrive.
        using var acd = new AcdHarness(o, AcdHarness.Agent("a1", "1001"), AcdHarness.Agent("a2", "1002"), AcdHarness.Agent("a3", "1003"));
        var illegal = new List<AgentTransition>();
        acd.Roster.Changed += t =>
        {
            if (t.To == AgentState.Ringing && t.From != AgentState.Ready) lock (illegal) illegal.Add(t);
        };
        acd.Ready("a1", "a2", "a3");
        var callers = new List<FakeCallLeg>();
        for (var i = 0; i < 12; i++)
        {
            var caller = acd.Telephony.Call("1380000" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture), "12345");
            await caller.PlayedAsync("greeting");
            callers.Add(caller);
            acd.Time.Advance(FakePromptLibrary.GreetingLength);
            await caller.PlayedAsync("moh"); // Queued: entries are 3 s apart, in arrival order.
        }
        var answeredOrder = new List<string>();
        while (answeredOrder.Count < 12)
        {
            // One round: each of the three agents is rung for the oldest waiting caller, answers, talks 1 s, wraps up.
            var round = new List<(FakeCallLeg Caller, string AgentId)>();
            for (var i = 0; i < 3; i++)
            {
                var dial = await acd.Telephony.NextDialAsync();
                Assert.That(dial.Options.Headers!["X-Hotline-Call"], Does.StartWith("c-"));
                dial.Answer();
                var (callerLeg, _) = await acd.Telephony.NextBridgeAsync();
                round.Add(((FakeCallLeg)callerLeg, acd.Roster.FindByUser(dial.Target)!.Id));
                answeredOrder.Add(((FakeCallLeg)callerLeg).RemoteUser);
            }
            acd.Time.Advance(TimeSpan.FromSeconds(1));
            var wrapUps = round.Select(r => acd.WaitForAgentAsync(r.AgentId, AgentState.WrapUp)).ToList();
            foreach (var r in round) r.Caller.RemoteHangup();
            await Task.WhenAll(wrapUps);
            var ready = round.Select(r => acd.WaitForAgentAsync(r.AgentId, AgentState.Ready)).ToList();
            acd.Time.Advance(TimeSpan.FromSeconds(10));
            await Task.WhenAll(ready);
        }
        // First come, first served: each round of three free agents takes the three oldest callers (the order of
        // the three dials inside a round is up to the thread pool).
        for (var r = 0; r < 4; r++)
            Assert.That(answeredOrder.Skip(r * 3).Take(3), Is.EquivalentTo(callers.Skip(r * 3).Take(3).Select(c => c.RemoteUser)), $"round {r + 1}");
        Assert.That(illegal, Is.Empty, "an agent is only ever rung from Ready");
        var events = acd.Sink.CallEvents();
        foreach (var call in events.GroupBy(e => e.CallId))
        {
            Assert.That(call.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, call.Count()).Select(i => (ulong)i)));
            Assert.That(call.Count(e => e.PayloadCase == Kind.Answered), Is.EqualTo(1));
        }
        var stats = acd.Stats.Snapshot().Queues.Single();
        Assert.That((stats.OfferedToday, stats.AnsweredToday, stats.AbandonedToday, stats.Waiting), Is.EqualTo((12, 12, 0, 0)));
    }
}
