using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Conference;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.AcdEngine.Tests.Conference;

/// <summary>The transfer stage alone (no flow): a blind REFER that connects, one that fails, refusals, a Replaces naming nothing.</summary>
[TestFixture]
public sealed class TransferStageTests
{
    [Test]
    public async Task A_blind_transfer_rings_the_department_with_the_caller_on_hold_music_and_bridges_the_first_answer()
    {
        using var acd = new AcdHarness(AcdSetup.WithDepartment());
        var call = new StageCall(acd);
        Watch(call);

        var refer = call.Agent.Refer("1");
        Assert.That((refer.Accepted, call.Session.Lifecycle.Stage), Is.EqualTo((true, CallStage.Transferring)));
        Assert.That(call.Agent.Refer("1").RefuseStatus, Is.EqualTo(491), "one transfer at a time");
        var (d1, d2) = await acd.DepartmentDialsAsync();
        Assert.That((d1.Target, d2.Target, call.Caller.Inner.Hearing), Is.EqualTo(("2001", "2002", "moh")));
        Assert.That(call.Agent.State, Is.EqualTo(CallLegState.Connected), "the agent stays until the target answers");
        d2.Answer();

        Assert.That(await refer.Final, Is.EqualTo(200));
        var bridge = await acd.Telephony.NextBridgeAsync();
        // RFC 5589 §6.1: the BYE follows the success NOTIFY, on the transfer's own path: read once it is done.
        await call.Parties.Three.Transfer!.Done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(new[] { bridge.A, bridge.B }, Is.EquivalentTo(new ICallLeg[] { call.Caller.Inner, d2.FakeLeg }));
            Assert.That(d1.Cancelled, Is.True);
            Assert.That(call.Agent.State, Is.EqualTo(CallLegState.Ended), "BYE to the agent after the success NOTIFY");
            Assert.That(call.Talk.AgentGone.IsCompleted, Is.True);
            Assert.That(call.Session.Lifecycle.Stage, Is.EqualTo(CallStage.Transferred));
            Assert.That((call.Parties.Three.OtherParty, call.Parties.Three.TransferKind), Is.EqualTo(("department:water", "blind")));
            Assert.That(call.Parties.Three.Transfer!.Done.Task.Result, Is.True);
        });
    }

    [Test]
    public async Task A_blind_transfer_nobody_answers_tells_the_phone_and_the_desk_and_puts_the_caller_back_with_the_agent()
    {
        using var acd = new AcdHarness(AcdSetup.WithDepartment());
        var call = new StageCall(acd);
        var notices = new List<(string Agent, CallEvent Event)>();
        call.Parties.AgentNotice += (agent, e) => { lock (notices) notices.Add((agent, e)); };
        Watch(call);

        var refer = call.Agent.Refer("1");
        var (d1, d2) = await acd.DepartmentDialsAsync();
        d1.Reject(486);
        d2.Reject(486);

        Assert.That(await refer.Final, Is.EqualTo(486));
        // The phone's final NOTIFY goes first; the desk's notice, then the bridge back to the agent, follow on the stage's
        // path: wait for that bridge (run 22 read the notices right after the NOTIFY and found none yet).
        await acd.Telephony.NextBridgeAsync();
        var failed = notices.Single().Event.TransferFailed;
        Assert.Multiple(() =>
        {
            Assert.That((notices.Single().Agent, failed.DepartmentId, failed.Attempts), Is.EqualTo(("a1", "water", 1u)));
            Assert.That(call.Session.Lifecycle.Stage, Is.EqualTo(CallStage.Talking));
            Assert.That((call.Caller.Inner.Hearing, call.Agent.Inner.Hearing), Is.EqualTo(("bridge", "bridge")), "off the hold music");
            Assert.That(call.Agent.State, Is.EqualTo(CallLegState.Connected));
            Assert.That(call.Parties.Three.Transfer!.HoldsTheCaller, Is.False);
        });
    }

    [Test]
    public void Refusals_unknown_target_another_leg_and_a_consult_under_way_change_nothing()
    {
        using var acd = new AcdHarness(AcdSetup.WithDepartment());
        var call = new StageCall(acd);
        var stage = Stage(call);
        call.Agent.TransferRequested += (_, e) => stage.OnTransferRequested(call.Agent, e);
        var stranger = new PhoneLeg(new FakeCallLeg("1002", "12345", CallLegDirection.Inbound, acd.Time));
        stranger.TransferRequested += (_, e) => stage.OnTransferRequested(stranger, e);

        Assert.Multiple(() =>
        {
            Assert.That(call.Agent.Refer("999").RefuseStatus, Is.EqualTo(404), "unknown target");
            Assert.That(stranger.Refer("1").RefuseStatus, Is.EqualTo(481), "not this call's agent");
        });
        call.Session.Lifecycle.Move(CallStage.Consulting);
        Assert.That(call.Agent.Refer("1").RefuseStatus, Is.EqualTo(491), "a consult is under way");
        Assert.That((acd.Telephony.HasPendingDial, call.Parties.Three.Transfer), Is.EqualTo((false, null as TransferInFlight)));
    }

    [Test]
    public async Task An_attended_transfer_whose_replaces_names_no_consultation_is_answered_481_and_the_agent_stays()
    {
        using var acd = new AcdHarness(AcdSetup.WithDepartment());
        var call = new StageCall(acd);
        Watch(call);

        var refer = call.Agent.Refer("1", new TransferReplaces("other-call", "a", "b"));

        Assert.That((refer.Accepted, await refer.Final), Is.EqualTo((true, 481)));
        Assert.That((call.Agent.State, call.Session.Lifecycle.Stage), Is.EqualTo((CallLegState.Connected, CallStage.Talking)));
    }

    private static void Watch(StageCall call)
    {
        var stage = Stage(call);
        call.Agent.TransferRequested += (_, e) => stage.OnTransferRequested(call.Agent, e);
    }

    private static TransferStage Stage(StageCall call) =>
        new(call.Parties, call.Acd.Roster, call.Acd.Departments, null, 15, "12345", NullLogger.Instance);
}
