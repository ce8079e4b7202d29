using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Tests.Fakes;

namespace Hotline.AcdEngine.Tests.Routing;

/// <summary>
/// A queued caller hangs up in the same instant an agent becomes ready: the dispatcher may reserve the agent for a
/// caller whose flow has just seen them leave. The agent must end Ready, never stuck Ringing for a call that does
/// not ring them (found by the 5-minute TicketApi outage under load, issue 21).
/// </summary>
[TestFixture]
public sealed class OfferRaceTests
{
    [Test]
    public async Task Caller_leaving_as_an_agent_becomes_ready_never_leaves_the_agent_ringing()
    {
        // Each round starts the hang-up and the ready on two threads released together; which one the flow sees
        // first varies, so many rounds cover the interleavings (both orders, and the offer made between the flow's
        // check and its leaving the queue).
        const int rounds = 300;
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var round = 0; round < rounds; round++)
        {
            using var acd = new AcdHarness(AcdHarness.DefaultOptions(), AcdHarness.Agent("a1", "1001"));
            acd.Roster.SignIn("a1", ready: false);
            var caller = acd.Telephony.Call("13800001234", "12345");
            await caller.PlayedAsync("greeting");
            acd.Time.Advance(FakePromptLibrary.GreetingLength);
            await caller.PlayedAsync("moh");
            var finished = acd.WaitForCallFinishedAsync();

            using var start = new Barrier(2);
            var hangup = Task.Run(() => { start.SignalAndWait(); caller.RemoteHangup(); });
            var ready = Task.Run(() => { start.SignalAndWait(); acd.Roster.SetReady("a1"); });
            await Task.WhenAll(hangup, ready);
            await finished;

            // The flow has ended. If the agent was reserved for it, the flow dialled them (and hung up) or handed the
            // offer back; either way the agent is Ready again now, not waiting for a ring timeout.
            var state = acd.Roster.Get("a1").State;
            outcomes[state.ToString()] = outcomes.GetValueOrDefault(state.ToString()) + 1;
            if (state != AgentState.Ready)
                await acd.WaitForAgentAsync("a1", AgentState.Ready); // A ring being torn down settles; a stuck one times out.
            Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready), $"round {round}");
            var queue = acd.Stats.Snapshot().Queues.Single();
            Assert.That((queue.OfferedToday, queue.AbandonedToday, queue.Waiting), Is.EqualTo((1, 1, 0)), $"round {round}");
        }
        TestContext.Out.WriteLine("agent state when the flow ended: " + string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}")));
    }
}
