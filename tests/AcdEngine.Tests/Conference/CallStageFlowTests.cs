using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Tests.Fakes;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Conference;

/// <summary>A real inbound flow walks the stages of docs/acd.md's drawing, and refuses what its stage does not allow.</summary>
[TestFixture]
public sealed class CallStageFlowTests
{
    [Test]
    public async Task Greeting_then_queued_then_ringing_then_talking_then_ended()
    {
        using var h = new AcdHarness();
        var finished = h.WaitForCallFinishedAsync();
        var caller = h.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        var flow = h.Router.Calls.Single();
        Assert.That(flow.Stage, Is.EqualTo(CallStage.Greeting));
        h.Time.Advance(FakePromptLibrary.GreetingLength);
        await caller.PlayedAsync("moh");
        Assert.That((flow.Stage, flow.Phase), Is.EqualTo((CallStage.Queued, "queued")));

        h.Ready("a1");
        var dial = await h.Telephony.NextDialAsync();
        Assert.That(flow.Stage, Is.EqualTo(CallStage.Ringing));
        dial.Answer();
        await h.Sink.WaitForCallAsync(Kind.Answered);
        Assert.That((flow.Stage, flow.Phase), Is.EqualTo((CallStage.Talking, "talking")));

        caller.RemoteHangup();
        await h.WaitForAgentAsync("a1", AgentState.WrapUp);
        h.Time.Advance(TimeSpan.FromSeconds(h.Options.WrapUpSeconds)); // CallEnded follows the wrap-up.
        await finished;
        Assert.That(flow.Stage, Is.EqualTo(CallStage.Ended));
        Assert.That(flow.Hold("a1", out _), Is.False, "nothing to hold once ended");
    }

    [Test]
    public async Task A_consult_moves_to_consulting_then_three_way_then_transferred_and_a_second_consult_is_refused_meanwhile()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (_, _, flow) = await h.ConnectedCallAsync();
        var finished = h.WaitForCallFinishedAsync();
        Assert.That(flow.Stage, Is.EqualTo(CallStage.Talking));

        Assert.That(flow.ConsultDepartment("a1", "water", holdCaller: true, out var error), Is.True, error);
        Assert.That(flow.Stage, Is.EqualTo(CallStage.Consulting));
        Assert.That(flow.Hold("a1", out var held), Is.False, "the consult already holds the caller");
        Assert.That(held, Is.EqualTo("The call is already on hold."));
        Assert.That(flow.ConsultDepartment("a1", "water", false, out var twice), Is.False);
        Assert.That(twice, Is.EqualTo("A department is already being called on this call."));

        var (_, d2) = await h.DepartmentDialsAsync();
        d2.Answer();
        await h.Sink.WaitForCallAsync(Kind.DepartmentJoined);
        Assert.That(flow.Stage, Is.EqualTo(CallStage.ThreeWay));
        Assert.That(h.Sink.CallEvents().Count(e => e.PayloadCase == Kind.Resumed), Is.EqualTo(1), "joining ends the consult's hold");

        var (ok, why) = await flow.CompleteTransferAsync("a1", CancellationToken.None);
        Assert.That(ok, Is.True, why);
        await h.Sink.WaitForCallAsync(Kind.TransferCompleted);
        Assert.That((flow.Stage, flow.Phase), Is.EqualTo((CallStage.Transferred, "talking")));

        // The agent's wrap-up starts just after TransferCompleted (its timer armed before WrapUp shows): advance after it.
        await h.WaitForAgentAsync("a1", AgentState.WrapUp);
        h.Time.Advance(TimeSpan.FromSeconds(h.Options.WrapUpSeconds)); // The agent's wrap-up, started when they left.
        d2.FakeLeg.RemoteHangup();
        await finished;
        Assert.That(flow.Stage, Is.EqualTo(CallStage.Ended));
    }
}
