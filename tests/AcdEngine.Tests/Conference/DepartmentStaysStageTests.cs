using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Conference;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Microsoft.Extensions.Logging.Abstractions;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Conference;

/// <summary>
/// The end of a call a department is in, alone (no flow; issue 8): either the caller or the agent leaving keeps the
/// other two talking until one of them leaves.
/// </summary>
[TestFixture]
public sealed class DepartmentStaysStageTests
{
    [Test]
    public async Task The_agent_leaving_completes_the_transfer_starts_their_wrap_up_and_the_caller_talks_on_with_the_department()
    {
        using var acd = new AcdHarness(AcdSetup.WithDepartment());
        var (call, department) = await ThreeWayAsync(acd);
        var stage = new DepartmentStaysStage(call.Parties, acd.Roster, NullLogger.Instance);

        call.Agent.Inner.RemoteHangup();
        Assert.That(stage.Applies(call.Talk), Is.True);
        var run = stage.RunAsync(call.Talk, CancellationToken.None);
        await acd.WaitForAgentAsync("a1", AgentState.WrapUp); // At once: the call goes on without them.
        var completed = acd.Sink.CallEvents(call.Session.CallId).Single(e => e.PayloadCase == Kind.TransferCompleted).TransferCompleted;
        Assert.That((completed.FromAgentId, completed.To, completed.Kind), Is.EqualTo(("a1", "department:water", "warm")));
        Assert.That((call.Caller.State, call.Session.Lifecycle.Stage), Is.EqualTo((CallLegState.Connected, CallStage.Transferred)));
        Assert.That(call.PartiesEvents()[^1], Is.EqualTo(new[] { "caller", "department:water" }));

        acd.Time.Advance(TimeSpan.FromSeconds(4));
        department.FakeLeg.RemoteHangup();
        acd.Time.Advance(TimeSpan.FromSeconds(6)); // The rest of the 10 s wrap-up.
        Assert.That(await run, Is.EqualTo((HangupBy.System, "transferred", TimeSpan.FromSeconds(10))));
        Assert.That(call.Caller.State, Is.EqualTo(CallLegState.Ended), "the department left: the caller is released");
    }

    [Test]
    public async Task The_caller_leaving_keeps_agent_and_department_until_the_agent_hangs_up()
    {
        using var acd = new AcdHarness(AcdSetup.WithDepartment());
        var (call, department) = await ThreeWayAsync(acd);
        var stage = new DepartmentStaysStage(call.Parties, acd.Roster, NullLogger.Instance);

        call.Caller.Inner.RemoteHangup();
        Assert.That(stage.Applies(call.Talk), Is.True);
        var run = stage.RunAsync(call.Talk, CancellationToken.None);
        await ThreeWayCallTests.WaitUntilAsync(() => call.PartiesEvents()[^1].SequenceEqual(["agent:a1", "department:water"]));
        Assert.That((acd.Roster.Get("a1").State, department.FakeLeg.State), Is.EqualTo((AgentState.Talking, CallLegState.Connected)));

        acd.Time.Advance(TimeSpan.FromSeconds(3));
        call.Agent.Inner.RemoteHangup();
        await acd.WaitForAgentAsync("a1", AgentState.WrapUp);
        acd.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.That(await run, Is.EqualTo((HangupBy.Caller, "normal", TimeSpan.FromSeconds(10))));
        Assert.That(department.FakeLeg.State, Is.EqualTo(CallLegState.Ended), "the department is released with the agent");
        Assert.That(call.Session.Timeline.EndedAt, Is.EqualTo(acd.Time.GetUtcNow() - TimeSpan.FromSeconds(10)), "the call ended when the agent left");
    }

    [Test]
    public void Without_a_department_it_does_not_apply()
    {
        using var acd = new AcdHarness(AcdSetup.WithDepartment());
        var call = new StageCall(acd);
        call.Agent.Inner.RemoteHangup();
        Assert.That(new DepartmentStaysStage(call.Parties, acd.Roster, NullLogger.Instance).Applies(call.Talk), Is.False);
    }

    /// <summary>Caller, agent a1 (talking on this call in the roster) and the water department in one mix.</summary>
    private static async Task<(StageCall, FakeOutboundCall)> ThreeWayAsync(AcdHarness acd)
    {
        acd.Ready("a1");
        var call = new StageCall(acd);
        Assert.That(acd.Roster.TryReserve("a1", call.Session.CallId), Is.True);
        acd.Roster.Connect("a1", call.Session.CallId);
        var consult = new ConsultStage(call.Parties, acd.Departments, "12345", NullLogger.Instance);
        Assert.That(consult.Start("a1", "water", holdCaller: false, out var error), Is.True, error);
        var (d1, _) = await acd.DepartmentDialsAsync();
        d1.Answer();
        await acd.Phones.NextConferenceAsync();
        await ThreeWayCallTests.WaitUntilAsync(() => call.PartiesEvents().Count == 1);
        return (call, d1);
    }
}
