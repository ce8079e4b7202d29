using Hotline.AcdEngine.Conference;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.AcdEngine.Tests.Conference;

/// <summary>The supervisor-monitor stage alone (no flow): refusals, the join in each mode, leaving, a join too late.</summary>
[TestFixture]
public sealed class MonitorStageTests
{
    [TestCase(MonitorMode.Listen, FakeRole.ListenOnly)]
    [TestCase(MonitorMode.Whisper, FakeRole.Whisper)]
    [TestCase(MonitorMode.Barge, FakeRole.Speaker)]
    public async Task The_supervisor_joins_the_mix_on_answer_in_the_mode_asked_and_leaves_it_as_it_was(MonitorMode mode, FakeRole role)
    {
        using var acd = new AcdHarness(AcdSetup.WithDepartment());
        var call = new StageCall(acd);
        var monitor = Monitor(call);

        Assert.That(monitor.Start("3001", mode, out var error), Is.True, error);
        var dial = await acd.Telephony.NextDialAsync();
        Assert.That((dial.Target, dial.Options.CallerId, dial.Options.RingTimeout), Is.EqualTo(("3001", "12345", TimeSpan.FromSeconds(20))));
        Assert.That(dial.Options.Headers!["X-Hotline-Call"], Is.EqualTo(call.Session.CallId));
        Assert.That(call.Parties.Three.Conference, Is.Null, "nothing changes until the supervisor answers");
        dial.Answer();

        var conference = await acd.Phones.NextConferenceAsync();
        await ThreeWayCallTests.WaitUntilAsync(() => call.PartiesEvents().Count == 1);
        Assert.Multiple(() =>
        {
            Assert.That(conference.Members, Is.EquivalentTo(new ICallLeg[] { call.Caller.Inner, call.Agent.Inner, dial.FakeLeg }));
            Assert.That(conference.RoleOf(dial.FakeLeg), Is.EqualTo(role));
            Assert.That(call.PartiesEvents()[0], Is.EqualTo(new[] { "caller", "agent:a1", "supervisor:3001" }));
            Assert.That(monitor.Start("3001", mode, out var twice), Is.False, twice);
        });

        dial.FakeLeg.RemoteHangup();
        await ThreeWayCallTests.WaitUntilAsync(() => call.PartiesEvents().Count == 2);
        Assert.That(call.PartiesEvents()[1], Is.EqualTo(new[] { "caller", "agent:a1" }));
        Assert.That(conference.Members, Is.EquivalentTo(new ICallLeg[] { call.Caller.Inner, call.Agent.Inner }));
    }

    [Test]
    public void Bad_requests_a_held_call_and_a_call_without_an_agent_are_refused_without_ringing_anyone()
    {
        using var acd = new AcdHarness(AcdSetup.WithDepartment());
        var call = new StageCall(acd);
        var monitor = Monitor(call);
        Assert.Multiple(() =>
        {
            Assert.That((monitor.Start("", MonitorMode.Listen, out var e1), e1), Is.EqualTo((false, "supervisor_user is required.")));
            Assert.That((monitor.Start("3001", MonitorMode.Unspecified, out var e2), e2), Is.EqualTo((false, "mode must be listen, whisper or barge.")));
        });
        call.Talk.Hold(out _);
        Assert.That((monitor.Start("3001", MonitorMode.Listen, out var held), held), Is.EqualTo((false, "The call is on hold.")));
        call.Talk.Resume(out _);
        call.Parties.Talk = null;
        Assert.That((monitor.Start("3001", MonitorMode.Listen, out var none), none), Is.EqualTo((false, "The call is not connected to an agent.")));
        Assert.That(acd.Telephony.HasPendingDial, Is.False);
    }

    [Test]
    public async Task A_supervisor_who_answers_after_the_call_ended_is_hung_up_and_an_unanswered_ring_changes_nothing()
    {
        using var acd = new AcdHarness(AcdSetup.WithDepartment());
        var call = new StageCall(acd);
        var monitor = Monitor(call);

        monitor.Start("3001", MonitorMode.Listen, out _);
        var declined = await acd.Telephony.NextDialAsync();
        declined.Reject(486);
        monitor.Start("3002", MonitorMode.Listen, out _);
        var late = await acd.Telephony.NextDialAsync();
        call.Session.Lifecycle.End();
        late.Answer();

        await ThreeWayCallTests.WaitUntilAsync(() => late.FakeLeg.State == CallLegState.Ended);
        Assert.That((call.Parties.Three.Conference, call.Parties.Three.Supervisors.Count, call.PartiesEvents().Count), Is.EqualTo((null as IConference, 0, 0)));
    }

    private static MonitorStage Monitor(StageCall call) => new(call.Parties, "12345", TimeSpan.FromSeconds(20), NullLogger.Instance);
}
