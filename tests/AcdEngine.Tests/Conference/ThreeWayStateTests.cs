using Hotline.AcdEngine.Conference;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Cti.Calls;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.AcdEngine.Tests.Conference;

/// <summary>The three-way state alone: the conference clock, who is in the call, what a blind transfer leaves behind.</summary>
[TestFixture]
public sealed class ThreeWayStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);

    [Test]
    public void The_conference_clock_runs_only_while_a_department_is_in_the_call_and_stops_once()
    {
        var three = new ThreeWayState();
        var department = Leg("2001");
        var mixer = three.EnsureConference(() => new FakeConference());
        mixer.Add(department);
        three.DepartmentJoined("water", department, T0.AddSeconds(10));
        Assert.That(three.HasDepartment, Is.True);

        Assert.That(three.DepartmentLeft(T0.AddSeconds(70)), Is.True);
        Assert.That(three.DepartmentLeft(T0.AddSeconds(90)), Is.False, "left once");
        Assert.That(three.Close(T0.AddSeconds(120)), Is.SameAs(mixer), "the mixer is handed back to be disposed");
        Assert.Multiple(() =>
        {
            Assert.That(three.ConferenceTime, Is.EqualTo(TimeSpan.FromSeconds(60)));
            Assert.That(three.DepartmentGone.Task.IsCompleted, Is.True);
            Assert.That(three.HasDepartment, Is.False);
            Assert.That(((FakeConference)mixer).Contains(department), Is.False, "removed from the mixer when it left");
            Assert.That(three.Conference, Is.Null);
        });
    }

    [Test]
    public void The_mixer_is_made_once_and_dissolved_when_only_caller_and_agent_are_left()
    {
        var three = new ThreeWayState();
        var made = 0;
        var first = three.EnsureConference(() => { made++; return new FakeConference(); });
        var second = three.EnsureConference(() => { made++; return new FakeConference(); });
        Assert.That((made, second), Is.EqualTo((1, first)));
        Assert.That(three.DissolveConference(), Is.SameAs(first));
        Assert.That(three.Conference, Is.Null);
    }

    [Test]
    public void Parties_name_caller_agent_department_and_live_supervisors_in_order()
    {
        var three = new ThreeWayState();
        three.DepartmentJoined("water", Leg("2001"), T0);
        var gone = Leg("9001");
        gone.RemoteHangup();
        three.Supervisors.Add(("9000", Leg("9000")));
        three.Supervisors.Add(("9001", gone));

        Assert.That(three.Parties(callerHere: true, agentHere: "a1"), Is.EqualTo(new[] { "caller", "agent:a1", "department:water", "supervisor:9000" }));
        three.MarkAgentLeft();
        Assert.That(three.Parties(callerHere: true, agentHere: "a1"), Is.EqualTo(new[] { "caller", "department:water", "supervisor:9000" }));
        three.MarkCallerLeft();
        Assert.That(three.Parties(callerHere: true, agentHere: null), Is.EqualTo(new[] { "department:water", "supervisor:9000" }));
        Assert.That(three.SupervisorsGone, Is.False);
    }

    [Test]
    public void A_blind_transfer_to_an_agent_names_the_party_and_hands_the_target_agent_over_once()
    {
        var three = new ThreeWayState { HeldForConsult = true };
        var target = new TransferTarget("agent:a2", ["1002"], TimeSpan.FromSeconds(15), null, "a2");
        three.TransferConnected(target, Leg("1002"));

        Assert.Multiple(() =>
        {
            Assert.That((three.OtherParty, three.TransferKind, three.DepartmentId), Is.EqualTo(("agent:a2", "blind", "agent:a2")));
            Assert.That(three.HeldForConsult, Is.False);
            Assert.That(three.JoinedAt, Is.Null, "a bridge, not a conference: no conference time");
            Assert.That(three.TakeTargetAgent(), Is.EqualTo("a2"));
            Assert.That(three.TakeTargetAgent(), Is.Null);
        });
    }

    [Test]
    public void An_attended_transfer_keeps_the_department_as_the_party()
    {
        var three = new ThreeWayState();
        three.DepartmentJoined("water", Leg("2001"), T0);
        three.AgentTransfers("attended");
        Assert.That((three.OtherParty, three.TransferKind), Is.EqualTo(("department:water", "attended")));
    }

    [Test]
    public void Closing_cancels_a_consult_still_dialling()
    {
        var three = new ThreeWayState();
        var token = three.StartConsult();
        three.Close(T0);
        Assert.That(token.IsCancellationRequested, Is.True);
        three.DisposeConsult();
    }

    private FakeCallLeg Leg(string user)
    {
        var leg = new FakeCallLeg(user, user, CallLegDirection.Outbound, _time);
        leg.AnswerAsync(CancellationToken.None).GetAwaiter().GetResult();
        return leg;
    }
}
