using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Tests.Agents;

/// <summary>The agent state machine: one door, legal transitions only, wrap-up timed in virtual time.</summary>
[TestFixture]
public sealed class AgentRosterTests
{
    [Test]
    public void Ready_while_signed_out_is_refused_and_changes_nothing()
    {
        using var acd = new AcdHarness();
        var ex = Assert.Throws<AgentTransitionException>(() => acd.Roster.SetReady("a1"));
        Assert.That(ex!.From, Is.EqualTo(AgentState.SignedOut));
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.SignedOut));
        Assert.That(acd.Sink.AgentEvents("a1"), Is.Empty);
    }

    [Test]
    public void Signing_out_or_going_not_ready_while_ringing_or_talking_is_refused()
    {
        using var acd = new AcdHarness();
        acd.Ready("a1");
        Assert.That(acd.Roster.TryReserve("a1", "c-1"), Is.True);
        Assert.Throws<AgentTransitionException>(() => acd.Roster.SignOut("a1"));
        Assert.Throws<AgentTransitionException>(() => acd.Roster.SetNotReady("a1", "break"));
        acd.Roster.Connect("a1", "c-1");
        Assert.Throws<AgentTransitionException>(() => acd.Roster.SetReady("a1"));
        Assert.Throws<AgentTransitionException>(() => acd.Roster.CompleteWrapUp("a1"));
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Talking));
    }

    [Test]
    public void Never_two_calls_at_once_a_ringing_or_talking_agent_cannot_be_reserved_again()
    {
        using var acd = new AcdHarness();
        acd.Ready("a1");
        Assert.That(acd.Roster.TryReserve("a1", "c-1"), Is.True);
        Assert.That(acd.Roster.TryReserve("a1", "c-2"), Is.False);
        acd.Roster.Connect("a1", "c-1");
        Assert.That(acd.Roster.TryReserve("a1", "c-2"), Is.False);
        Assert.Throws<AgentTransitionException>(() => acd.Roster.Connect("a1", "c-2"));
    }

    [Test]
    public async Task Wrap_up_lasts_its_configured_time_then_the_agent_is_ready()
    {
        using var acd = new AcdHarness();
        acd.Ready("a1");
        acd.Roster.TryReserve("a1", "c-1");
        acd.Roster.Connect("a1", "c-1");
        var wrapUp = acd.Roster.EndCall("a1", "c-1");
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.WrapUp));
        acd.Time.Advance(TimeSpan.FromMilliseconds(9999));
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.WrapUp));
        acd.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(await wrapUp, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready));
        Assert.That(acd.Roster.Get("a1").CallsHandledToday, Is.EqualTo(1));
    }

    [Test]
    public void A_busy_phone_makes_the_agent_not_ready_busy_for_the_busy_retry_then_ready()
    {
        using var acd = new AcdHarness();
        acd.Ready("a1");
        var becameReady = 0;
        acd.Roster.BecameReady += id => becameReady += id == "a1" ? 1 : 0;
        acd.Roster.TryReserve("a1", "c-1");
        acd.Roster.ReleaseRing("a1", "c-1", AgentRoster.Busy);
        Assert.That((acd.Roster.Get("a1").State, acd.Roster.Get("a1").Reason), Is.EqualTo((AgentState.NotReady, "busy")));
        acd.Time.Advance(TimeSpan.FromSeconds(acd.Options.BusyRetrySeconds) - TimeSpan.FromMilliseconds(1));
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.NotReady));
        acd.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That((acd.Roster.Get("a1").State, becameReady), Is.EqualTo((AgentState.Ready, 1)));
    }

    [Test]
    public void The_end_of_a_busy_retry_does_not_undo_a_change_made_meanwhile_and_other_not_ready_reasons_stay()
    {
        using var acd = new AcdHarness();
        acd.Ready("a1", "a2");
        acd.Roster.TryReserve("a1", "c-1");
        acd.Roster.ReleaseRing("a1", "c-1", AgentRoster.Busy);
        acd.Roster.SetNotReady("a1", "lunch");
        acd.Roster.TryReserve("a2", "c-2");
        acd.Roster.ReleaseRing("a2", "c-2", "declined");
        acd.Time.Advance(TimeSpan.FromSeconds(acd.Options.BusyRetrySeconds * 2));
        Assert.That((acd.Roster.Get("a1").State, acd.Roster.Get("a1").Reason), Is.EqualTo((AgentState.NotReady, "lunch")));
        Assert.That((acd.Roster.Get("a2").State, acd.Roster.Get("a2").Reason), Is.EqualTo((AgentState.NotReady, "declined")));
    }

    [Test]
    public void A_busy_stored_in_redis_is_restored_as_ready_since_nothing_would_end_it()
    {
        using var acd = new AcdHarness();
        acd.Roster.Restore("a1", AgentState.NotReady, AgentRoster.Busy);
        acd.Roster.Restore("a2", AgentState.NotReady, "lunch");
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready));
        Assert.That((acd.Roster.Get("a2").State, acd.Roster.Get("a2").Reason), Is.EqualTo((AgentState.NotReady, "lunch")));
    }

    /// <summary>One busy ring for <paramref name="agentId"/>, then the busy retry waited out if it is running.</summary>
    private static string RingBusy(AcdHarness acd, string agentId, string callId)
    {
        Assert.That(acd.Roster.TryReserve(agentId, callId), Is.True);
        var reason = acd.Roster.ReleaseRing(agentId, callId, AgentRoster.Busy).Reason;
        acd.Time.Advance(TimeSpan.FromSeconds(acd.Options.BusyRetrySeconds));
        return reason;
    }

    [Test]
    public void A_phone_busy_to_MaxBusyInARow_rings_in_a_row_keeps_the_agent_not_ready_until_they_say_ready()
    {
        using var acd = new AcdHarness();
        acd.Ready("a1");
        Assert.That(acd.Options.MaxBusyInARow, Is.EqualTo(3));
        Assert.That(new[] { RingBusy(acd, "a1", "c-1"), RingBusy(acd, "a1", "c-2"), RingBusy(acd, "a1", "c-3") },
            Is.EqualTo(new[] { AgentRoster.Busy, AgentRoster.Busy, AgentRoster.AlwaysBusy }));
        acd.Time.Advance(TimeSpan.FromHours(1));
        Assert.That((acd.Roster.Get("a1").State, acd.Roster.Get("a1").Reason), Is.EqualTo((AgentState.NotReady, AgentRoster.AlwaysBusy)));
        Assert.That(AgentRoster.IsLocalReason(AgentRoster.AlwaysBusy), Is.False, "it needs the agent: every engine is told");

        acd.Roster.SetReady("a1");
        Assert.That(RingBusy(acd, "a1", "c-4"), Is.EqualTo(AgentRoster.Busy), "saying ready starts the count again");
    }

    [Test]
    public void An_answered_call_between_busy_rings_starts_the_count_again_and_zero_means_no_limit()
    {
        using var acd = new AcdHarness();
        acd.Ready("a1");
        RingBusy(acd, "a1", "c-1");
        RingBusy(acd, "a1", "c-2");
        acd.Roster.TryReserve("a1", "c-3");
        acd.Roster.Connect("a1", "c-3");
        acd.Roster.EndCall("a1", "c-3");
        acd.Time.Advance(TimeSpan.FromSeconds(acd.Options.WrapUpSeconds));
        Assert.That(new[] { RingBusy(acd, "a1", "c-4"), RingBusy(acd, "a1", "c-5") }, Is.All.EqualTo(AgentRoster.Busy));
        Assert.That(RingBusy(acd, "a1", "c-6"), Is.EqualTo(AgentRoster.AlwaysBusy));

        var unlimited = AcdHarness.DefaultOptions();
        unlimited.MaxBusyInARow = 0;
        using var patient = new AcdHarness(unlimited);
        patient.Ready("a1");
        Assert.That(Enumerable.Range(1, 20).Select(i => RingBusy(patient, "a1", "c-" + i)), Is.All.EqualTo(AgentRoster.Busy));
        Assert.That(patient.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready));
    }

    [Test]
    public async Task Completing_wrap_up_early_ends_it_and_the_timer_does_nothing_later()
    {
        using var acd = new AcdHarness();
        acd.Ready("a1");
        acd.Roster.TryReserve("a1", "c-1");
        acd.Roster.Connect("a1", "c-1");
        var wrapUp = acd.Roster.EndCall("a1", "c-1");
        acd.Time.Advance(TimeSpan.FromSeconds(3));
        acd.Roster.CompleteWrapUp("a1");
        acd.Roster.SetNotReady("a1", "break");
        acd.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.That(await wrapUp, Is.EqualTo(TimeSpan.FromSeconds(3)));
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.NotReady), "the old wrap-up timer must not make the agent ready");
    }

    [Test]
    public void Every_transition_is_an_agent_event_sequenced_per_agent()
    {
        using var acd = new AcdHarness();
        acd.Roster.SignIn("a1", ready: false);
        acd.Roster.SetReady("a1");
        acd.Roster.SetNotReady("a1", "training");
        acd.Roster.SignIn("a2", ready: true);
        var events = acd.Sink.AgentEvents("a1");
        Assert.That(events.Select(e => (e.Sequence, e.PreviousStatus, e.Status)), Is.EqualTo(new[]
        {
            (1UL, AgentStatus.SignedOut, AgentStatus.NotReady),
            (2UL, AgentStatus.NotReady, AgentStatus.Ready),
            (3UL, AgentStatus.Ready, AgentStatus.NotReady),
        }));
        Assert.That(events[2].Reason, Is.EqualTo("training"));
        Assert.That(acd.Sink.AgentEvents("a2").Single().Sequence, Is.EqualTo(1UL));
        Assert.That(events.All(e => e.NodeId == "acd-test" && Guid.TryParse(e.EventId, out _)), Is.True);
    }

    [Test]
    public void Unknown_agents_and_empty_reasons_are_clear_errors()
    {
        using var acd = new AcdHarness();
        Assert.Throws<UnknownAgentException>(() => acd.Roster.SignIn("nobody", ready: true));
        acd.Ready("a1");
        Assert.Throws<ArgumentException>(() => acd.Roster.SetNotReady("a1", " "));
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready));
    }
}
