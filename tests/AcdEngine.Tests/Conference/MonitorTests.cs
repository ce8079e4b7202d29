using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Conference;

/// <summary>Supervisor listen / whisper / barge (CTI Monitor) over fake telephony.</summary>
[TestFixture]
public sealed class MonitorTests
{
    [TestCase(MonitorMode.Listen, FakeRole.ListenOnly)]
    [TestCase(MonitorMode.Whisper, FakeRole.Whisper)]
    [TestCase(MonitorMode.Barge, FakeRole.Speaker)]
    public async Task Supervisor_is_rung_then_joins_the_mix_in_the_mode_asked_and_leaving_changes_nothing_else(MonitorMode mode, FakeRole role)
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, agent, flow) = await h.ConnectedCallAsync();
        Assert.That(flow.Monitor("3001", mode, out var error), Is.True, error);
        var dial = await h.Telephony.NextDialAsync();
        Assert.That(dial.Target, Is.EqualTo("3001"));
        Assert.That(h.Phones.HasConference, Is.False, "nothing changes until the supervisor answers");
        dial.Answer();
        var conference = await h.Phones.NextConferenceAsync();
        await ThreeWayCallTests.WaitUntilAsync(() => ThreeWayCallTests.Parties(h).Count > 0);
        Assert.Multiple(() =>
        {
            Assert.That(conference.Members, Is.EquivalentTo(new ICallLeg[] { caller, agent.FakeLeg, dial.FakeLeg }));
            Assert.That(conference.RoleOf(caller), Is.EqualTo(FakeRole.Speaker));
            Assert.That(conference.RoleOf(agent.FakeLeg), Is.EqualTo(FakeRole.Speaker));
            Assert.That(conference.RoleOf(dial.FakeLeg), Is.EqualTo(role));
            Assert.That(conference.WhisperTargetOf(dial.FakeLeg), role == FakeRole.Whisper ? Is.SameAs(agent.FakeLeg) : Is.Null);
            Assert.That(ThreeWayCallTests.Parties(h).Last(), Is.EqualTo(new[] { "caller", "agent:a1", "supervisor:3001" }));
            Assert.That(flow.Monitor("3001", mode, out _), Is.False, "the same supervisor twice");
        });

        dial.FakeLeg.RemoteHangup();
        await ThreeWayCallTests.WaitUntilAsync(() => ThreeWayCallTests.Parties(h).Last().Length == 2);
        Assert.Multiple(() =>
        {
            Assert.That(conference.Members, Is.EquivalentTo(new ICallLeg[] { caller, agent.FakeLeg }));
            Assert.That(caller.State, Is.EqualTo(CallLegState.Connected));
            Assert.That(agent.FakeLeg.State, Is.EqualTo(CallLegState.Connected));
        });
    }

    [Test]
    public async Task Bad_monitor_requests_are_refused_without_ringing_anyone()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (_, _, flow) = await h.ConnectedCallAsync();
        Assert.Multiple(() =>
        {
            Assert.That(flow.Monitor("", MonitorMode.Listen, out var noUser), Is.False, noUser);
            Assert.That(flow.Monitor("3001", MonitorMode.Unspecified, out var noMode), Is.False, noMode);
            Assert.That(h.Telephony.HasPendingDial, Is.False);
        });
        Assert.That(flow.Hold("a1", out _), Is.True);
        Assert.That(flow.Monitor("3001", MonitorMode.Barge, out var held), Is.False, held);
        Assert.That(h.Sink.CallEvents().Any(e => e.PayloadCase == Kind.Conference), Is.False);
    }

    [Test]
    public async Task Unanswered_supervisor_leaves_the_call_as_it_was()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, _, flow) = await h.ConnectedCallAsync();
        Assert.That(flow.Monitor("3001", MonitorMode.Listen, out _), Is.True);
        var dial = await h.Telephony.NextDialAsync();
        dial.Reject(486);
        await dial.Answered;
        Assert.That(h.Phones.HasConference, Is.False);
        Assert.That(caller.Hearing, Is.EqualTo("bridge"));
    }
}
