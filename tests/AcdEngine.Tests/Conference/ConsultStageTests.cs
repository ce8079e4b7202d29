using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Conference;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Microsoft.Extensions.Logging.Abstractions;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Conference;

/// <summary>The consult stage alone (no flow): a department joins the mix, refusals, two failed attempts, the *8 code.</summary>
[TestFixture]
public sealed class ConsultStageTests
{
    [Test]
    public async Task The_first_contact_to_answer_joins_caller_and_agent_in_one_mix_and_the_call_is_three_way()
    {
        using var acd = new AcdHarness(AcdSetup.WithDepartment());
        var call = new StageCall(acd);
        var notices = Notices(call);
        var consult = Stage(call);

        Assert.That(consult.Start("a1", "water", holdCaller: false, out var error), Is.True, error);
        Assert.That(call.Session.Lifecycle.Stage, Is.EqualTo(CallStage.Consulting));
        Assert.That((consult.Start("a1", "water", false, out error), error), Is.EqualTo((false, "A department is already being called on this call.")));
        Assert.That(await consult.CompleteTransferAsync("a1", CancellationToken.None), Is.EqualTo((false, "No department is in this call yet.")));
        var (d1, d2) = await acd.DepartmentDialsAsync();
        Assert.That((d1.Target, d2.Target, d1.Options.DisplayName), Is.EqualTo(("2001", "2002", "Hotline Water")));
        d1.Answer();

        var conference = await acd.Phones.NextConferenceAsync();
        await ThreeWayCallTests.WaitUntilAsync(() => call.PartiesEvents().Count == 1);
        Assert.Multiple(() =>
        {
            Assert.That(conference.Members, Is.EquivalentTo(new ICallLeg[] { call.Caller.Inner, call.Agent.Inner, d1.FakeLeg }));
            Assert.That(d2.Cancelled, Is.True);
            Assert.That(call.Session.Lifecycle.Stage, Is.EqualTo(CallStage.ThreeWay));
            Assert.That(call.PartiesEvents()[0], Is.EqualTo(new[] { "caller", "agent:a1", "department:water" }));
            Assert.That(Kinds(notices), Is.EqualTo(new[] { Kind.ConsultStarted, Kind.DepartmentJoined }));
        });

        Assert.That(await consult.CompleteTransferAsync("a1", CancellationToken.None), Is.EqualTo((true, "")));
        Assert.That((call.Agent.State, call.Talk.AgentGone.IsCompleted), Is.EqualTo((CallLegState.Ended, true)));
    }

    [Test]
    public void Refusals_name_the_reason_and_ring_nobody()
    {
        using var acd = new AcdHarness(AcdSetup.WithDepartment());
        var call = new StageCall(acd);
        var consult = Stage(call);
        Assert.Multiple(() =>
        {
            Assert.That((consult.Start("a2", "water", false, out var e1), e1), Is.EqualTo((false, TalkStage.NotTalking)));
            Assert.That((consult.Start("a1", "gas", false, out var e2), e2), Is.EqualTo((false, "Unknown department 'gas'.")));
        });
        call.Session.Lifecycle.Move(CallStage.Transferring);
        Assert.That((consult.Start("a1", "water", false, out var e3), e3), Is.EqualTo((false, "A transfer is under way on this call.")));
        Assert.That(acd.Telephony.HasPendingDial, Is.False);
    }

    [Test]
    public async Task Two_failed_attempts_tell_the_desk_play_the_tone_to_the_agent_and_end_the_consult_hold()
    {
        using var acd = new AcdHarness(AcdSetup.WithDepartment());
        var call = new StageCall(acd);
        var notices = Notices(call);
        var consult = Stage(call);

        Assert.That(consult.Start("a1", "water", holdCaller: true, out _), Is.True);
        Assert.That(call.Caller.Inner.Hearing, Is.EqualTo("moh"));
        var (a1, a2) = await acd.DepartmentDialsAsync();
        a1.Reject(486);
        a2.Reject(480);
        var (b1, b2) = await acd.DepartmentDialsAsync();
        b1.Reject(486);
        b2.Reject(486);

        Assert.That((await call.Agent.Inner.NextPlayAsync()).Name, Is.EqualTo("audio"), "the failure tone");
        acd.Time.Advance(TimeSpan.FromMilliseconds(1200));
        await acd.Telephony.NextBridgeAsync();
        await ThreeWayCallTests.WaitUntilAsync(() => !call.Session.Lifecycle.IsOnHold);
        var failed = notices.Last().Event.TransferFailed;
        Assert.Multiple(() =>
        {
            Assert.That((failed.DepartmentId, failed.Attempts, failed.Reason), Is.EqualTo(("water", 2u, "busy")));
            Assert.That(Kinds(notices), Is.EqualTo(new[] { Kind.ConsultStarted, Kind.ConsultStarted, Kind.TransferFailed }));
            Assert.That(call.Session.Lifecycle.Stage, Is.EqualTo(CallStage.Talking));
            Assert.That((call.Caller.Inner.Hearing, call.Agent.Inner.Hearing), Is.EqualTo(("bridge", "bridge")));
            Assert.That(call.Parties.Three.HeldForConsult, Is.False);
        });
    }

    [Test]
    public async Task The_agents_star8_code_consults_by_department_code_and_an_unknown_code_plays_the_tone()
    {
        using var acd = new AcdHarness(AcdSetup.WithDepartment());
        var call = new StageCall(acd);
        var consult = Stage(call);

        foreach (var key in "*89#") consult.OnAgentKey("a1", call.Agent, key);
        Assert.That((await call.Agent.Inner.NextPlayAsync()).Name, Is.EqualTo("audio"), "unknown department code");
        Assert.That(acd.Telephony.HasPendingDial, Is.False);
        foreach (var key in "*81#") consult.OnAgentKey("a1", call.Agent, key);

        var (d1, _) = await acd.DepartmentDialsAsync();
        Assert.That((d1.Target, call.Session.Lifecycle.Stage), Is.EqualTo(("2001", CallStage.Consulting)));
    }

    private static ConsultStage Stage(StageCall call) => new(call.Parties, call.Acd.Departments, "12345", NullLogger.Instance);

    private static List<(string Agent, CallEvent Event)> Notices(StageCall call)
    {
        var notices = new List<(string, CallEvent)>();
        call.Parties.AgentNotice += (agent, e) => { lock (notices) notices.Add((agent, e)); };
        return notices;
    }

    private static Kind[] Kinds(List<(string Agent, CallEvent Event)> notices)
    {
        lock (notices) return [.. notices.Select(n => n.Event.PayloadCase)];
    }
}
