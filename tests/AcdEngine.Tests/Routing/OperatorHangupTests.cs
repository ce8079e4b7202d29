using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Routing;

/// <summary>An operator's hang-up (<c>POST /api/calls/{id}/hangup</c>, hotlinectl, issue 20) in each phase of a call.</summary>
[TestFixture]
public sealed class OperatorHangupTests
{
    [Test]
    public async Task A_queued_call_hung_up_by_an_operator_ends_by_the_system_with_reason_operator_hangup()
    {
        using var acd = new AcdHarness();
        var caller = acd.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        await caller.PlayedAsync("moh");
        var flow = acd.Router.Calls.Single();
        Assert.That(flow.Phase, Is.EqualTo("queued"));

        var (ok, error) = await flow.HangupByOperatorAsync(CancellationToken.None);
        Assert.That(ok, Is.True, error);
        var ended = (await acd.Sink.WaitForCallAsync(Kind.Ended)).Ended;
        Assert.That((ended.HangupBy, ended.Reason), Is.EqualTo((HangupBy.System, "operator-hangup")));
        Assert.That(caller.State, Is.EqualTo(CallLegState.Ended));
        Assert.That(acd.Stats.Snapshot().Queues[0].Waiting, Is.Zero);

        var (again, why) = await flow.HangupByOperatorAsync(CancellationToken.None);
        Assert.That((again, why), Is.EqualTo((false, "The call has already ended.")));
    }

    [Test]
    public async Task A_talking_call_hung_up_by_an_operator_releases_the_agent_too()
    {
        using var acd = new AcdHarness();
        acd.Ready("a1");
        var caller = acd.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        var dial = await acd.Telephony.NextDialAsync();
        dial.Answer();
        await acd.Sink.WaitForCallAsync(Kind.Answered);
        var flow = acd.Router.Calls.Single();
        Assert.That(flow.Phase, Is.EqualTo("talking"));

        var wrapUp = acd.WaitForAgentAsync("a1", AgentState.WrapUp);
        Assert.That((await flow.HangupByOperatorAsync(CancellationToken.None)).Ok, Is.True);
        await wrapUp;
        acd.Time.Advance(TimeSpan.FromSeconds(10)); // The call's summary is sent when the wrap-up ends.
        var ended = (await acd.Sink.WaitForCallAsync(Kind.Ended)).Ended;
        Assert.That((ended.HangupBy, ended.Reason), Is.EqualTo((HangupBy.System, "operator-hangup")));
        Assert.That(dial.FakeLeg.State, Is.EqualTo(CallLegState.Ended), "the agent's leg is hung up with the caller's");
    }

    [Test]
    public async Task An_operator_hang_up_in_the_agents_wrap_up_is_refused_and_the_call_keeps_its_own_reason()
    {
        using var acd = new AcdHarness();
        var (caller, _, flow) = await acd.ConnectedCallAsync();
        var wrapUp = acd.WaitForAgentAsync("a1", AgentState.WrapUp);
        caller.RemoteHangup();
        await wrapUp;

        var (ok, why) = await flow.HangupByOperatorAsync(CancellationToken.None);
        Assert.That((ok, why, ((Hotline.AcdEngine.Routing.ICallControl)flow).HasEnded), Is.EqualTo((false, "The call has already ended.", true)),
            "the REST hang-up answers 404 for it (CallsApi)");
        acd.Time.Advance(TimeSpan.FromSeconds(60));
        var ended = (await acd.Sink.WaitForCallAsync(Kind.Ended)).Ended;
        Assert.That((ended.HangupBy, ended.Reason), Is.EqualTo((HangupBy.Caller, "normal")), "before: system, operator-hangup");
    }
}
