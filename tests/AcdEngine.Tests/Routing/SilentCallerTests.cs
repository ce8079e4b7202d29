using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Routing;

/// <summary>DOMAIN.md's silent caller: the agent keys the code on their phone; the caller hears the closing; the call ends.</summary>
[TestFixture]
public sealed class SilentCallerTests
{
    [Test]
    public async Task The_agents_code_plays_the_closing_to_the_caller_then_ends_the_call_without_a_survey()
    {
        var o = AcdHarness.DefaultOptions();
        o.Greeting = "";
        using var acd = new AcdHarness(o);
        acd.Ready("a1");
        var finished = acd.WaitForCallFinishedAsync();
        var caller = acd.Telephony.Call("13800138000", "12345");
        var ring = await acd.Telephony.NextDialAsync();
        ring.Answer();
        await acd.Telephony.NextBridgeAsync();
        acd.Time.Advance(TimeSpan.FromSeconds(8)); // The agent greets; the caller says nothing.
        foreach (var key in "9*99") ring.FakeLeg.Press(key); // A stray key first: the code still matches.

        await caller.PlayedAsync("silent-caller");
        Assert.That(ring.FakeLeg.State, Is.EqualTo(CallLegState.Connected), "the agent stays on while the closing plays");
        var wrapUp = acd.WaitForAgentAsync("a1", AgentState.WrapUp);
        acd.Time.Advance(TimeSpan.FromSeconds(1)); // The closing's length.
        await wrapUp;
        await acd.Time.TimerArmedAsync(TimeSpan.FromSeconds(10));
        acd.Time.Advance(TimeSpan.FromSeconds(10)); // Wrap-up: the call's summary follows it.
        var ended = (await acd.Sink.WaitForCallAsync(Kind.Ended)).Ended;
        Assert.Multiple(() =>
        {
            Assert.That((ended.HangupBy, ended.Reason, ended.TalkMs), Is.EqualTo((HangupBy.Agent, "silent-caller", 9000u)));
            Assert.That(caller.State, Is.EqualTo(CallLegState.Ended));
            Assert.That(ring.FakeLeg.State, Is.EqualTo(CallLegState.Ended));
            Assert.That(acd.Sink.CallEvents().Any(e => e.PayloadCase == Kind.SatisfactionRated), Is.False);
        });
        await finished;
    }

    [Test]
    public async Task Only_the_agent_on_the_call_can_end_it_as_silent()
    {
        var o = AcdHarness.DefaultOptions();
        o.Greeting = "";
        using var acd = new AcdHarness(o);
        acd.Ready("a1");
        var caller = acd.Telephony.Call("13800138000", "12345");
        (await acd.Telephony.NextDialAsync()).Answer();
        await acd.Telephony.NextBridgeAsync();
        var flow = acd.Router.FindByAgent("a1")!;
        var (ok, error) = await flow.SilentCallerAsync("a2", CancellationToken.None);
        Assert.That((ok, error), Is.EqualTo((false, "The agent is not talking on this call.")));
        Assert.That(caller.State, Is.EqualTo(CallLegState.Connected));
    }
}
