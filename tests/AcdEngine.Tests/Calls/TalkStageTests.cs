using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Microsoft.Extensions.Logging.Abstractions;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Calls;

/// <summary>The talk stage alone (no flow): hold with its announcements, resume, the agent leaving, the silent-caller closing.</summary>
[TestFixture]
public sealed class TalkStageTests
{
    private ObservableTimeProvider _time = null!;
    private RecordingSink _sink = null!;
    private TaskCompletionSource _callerGone = null!;
    private FakeTelephony _telephony = null!;
    private CallSession _session = null!;
    private FakeCallLeg _caller = null!;
    private FakeCallLeg _agent = null!;
    private bool _inConference;

    [SetUp]
    public void SetUp()
    {
        // NUnit runs a fixture's tests on one instance: every test starts from its own call.
        _time = new ObservableTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        _sink = new RecordingSink();
        _callerGone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inConference = false;
        _telephony = new FakeTelephony(_time);
        _session = new CallSession(CallDirection.Inbound, "acd-test", _time, _sink, NullLogger.Instance);
        foreach (var stage in new[] { CallStage.Greeting, CallStage.Queued, CallStage.Ringing, CallStage.Talking }) _session.Lifecycle.Move(stage);
        _caller = Answered("13800138000");
        _agent = Answered("1001");
        _caller.Ended += (_, _) => _callerGone.TrySetResult();
    }

    [Test]
    public async Task Hold_plays_music_to_the_caller_and_every_30_s_the_still_holding_prompt_until_resume_bridges_again()
    {
        var talk = Start();

        Assert.That(talk.Hold(out var error), Is.True, error);
        Assert.That((_caller.Hearing, _agent.Hearing, _session.Lifecycle.IsOnHold), Is.EqualTo(("moh", "silence", true)));
        _time.Advance(TalkStage.HoldAnnouncementPeriod);
        await _caller.PlayedAsync("still-holding");
        _time.Advance(TimeSpan.FromSeconds(1)); // The prompt's length: then the music again.
        await _caller.PlayedAsync("moh");
        await _time.TimerArmedAsync(TalkStage.HoldAnnouncementPeriod);
        _time.Advance(TimeSpan.FromSeconds(14));

        Assert.That(talk.Resume(out error), Is.True, error);
        Assert.That((_caller.Hearing, _agent.Hearing, _session.Lifecycle.IsOnHold), Is.EqualTo(("bridge", "bridge", false)));
        _time.Advance(TalkStage.HoldAnnouncementPeriod);
        Assert.That(_caller.PlaysSoFar(), Has.None.EqualTo("still-holding"), "no announcement after the resume");
        var events = _sink.CallEvents(_session.CallId);
        Assert.That(events.Select(e => e.PayloadCase), Is.EqualTo(new[] { Kind.Held, Kind.Resumed }));
        Assert.That((events[0].Held.AgentId, events[1].Resumed.HeldMs), Is.EqualTo(("a1", 45000u)));
    }

    [Test]
    public void Hold_is_refused_twice_in_a_conference_and_outside_the_holdable_stages_and_then_changes_nothing()
    {
        var talk = Start();
        Assert.That(talk.Resume(out var error), Is.False);
        Assert.That(error, Is.EqualTo("The call is not on hold."));

        _inConference = true;
        Assert.That((talk.Hold(out error), error), Is.EqualTo((false, "A conference cannot be put on hold.")));
        _inConference = false;
        Assert.That(talk.Hold(out _), Is.True);
        Assert.That((talk.Hold(out error), error), Is.EqualTo((false, "The call is already on hold.")));
        Assert.That(talk.Resume(out _), Is.True);

        _session.Lifecycle.Move(CallStage.Survey);
        Assert.That((talk.Hold(out error), error), Is.EqualTo((false, "The call cannot be put on hold while Survey.")));
        Assert.That(_session.Lifecycle.IsOnHold, Is.False);
        Assert.That(_sink.CallEvents(_session.CallId).Select(e => e.PayloadCase), Is.EqualTo(new[] { Kind.Held, Kind.Resumed }));
    }

    [Test]
    public void Ending_a_hold_quietly_counts_its_time_and_stops_the_announcements_without_an_event()
    {
        var talk = Start();
        talk.Hold(out _);
        _time.Advance(TimeSpan.FromSeconds(12));

        Assert.That(talk.EndHold(), Is.EqualTo(TimeSpan.FromSeconds(12)));
        _time.Advance(TalkStage.HoldAnnouncementPeriod);
        Assert.That(_session.Lifecycle.IsOnHold, Is.False);
        Assert.That(_caller.PlaysSoFar(), Has.None.EqualTo("still-holding"));
        Assert.That(_sink.CallEvents(_session.CallId).Select(e => e.PayloadCase), Is.EqualTo(new[] { Kind.Held }));
    }

    [Test]
    public async Task The_agent_hanging_up_from_the_desk_ends_their_leg_and_counts_as_hung_up_by_the_agent()
    {
        var talk = Start();
        await talk.HangupAsync(CancellationToken.None);

        Assert.That((_agent.State, talk.AgentGone.IsCompleted, talk.AgentHungUp, talk.SilentCaller), Is.EqualTo((CallLegState.Ended, true, true, false)));
    }

    [Test]
    public async Task The_agents_phone_hanging_up_completes_agent_gone_but_not_as_a_desk_hang_up()
    {
        var talk = Start();
        _agent.RemoteHangup();

        await talk.AgentGone.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(talk.AgentHungUp, Is.False);
    }

    [Test]
    public async Task The_silent_caller_closing_plays_to_the_caller_with_the_agent_silent_then_the_agent_leg_ends()
    {
        var talk = Start();
        _time.Advance(TimeSpan.FromSeconds(8));

        var ending = talk.EndSilentCallAsync(CancellationToken.None);
        await _caller.PlayedAsync("silent-caller");
        Assert.That((_agent.Hearing, _agent.State, ending.IsCompleted), Is.EqualTo(("silence", CallLegState.Connected, false)));
        Assert.That(await talk.EndSilentCallAsync(CancellationToken.None), Is.EqualTo((false, "The silent-caller closing is already playing.")));
        _time.Advance(TimeSpan.FromSeconds(1)); // The closing's length.

        Assert.That(await ending, Is.EqualTo((true, "")));
        Assert.That((_agent.State, talk.AgentGone.IsCompleted, talk.AgentHungUp, talk.SilentCaller), Is.EqualTo((CallLegState.Ended, true, true, true)));
        Assert.That(_session.Timeline.SilentCallerAt, Is.EqualTo(_time.GetUtcNow() - TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task The_silent_caller_closing_is_refused_during_a_three_way_call()
    {
        var talk = Start();
        _inConference = true;

        Assert.That(await talk.EndSilentCallAsync(CancellationToken.None), Is.EqualTo((false, "Not during a three-way call.")));
        Assert.That((talk.SilentCaller, talk.AgentHungUp, _agent.State), Is.EqualTo((false, false, CallLegState.Connected)));
    }

    [Test]
    public async Task The_trainee_greeting_plays_to_both_then_bridges_unless_the_agent_held_meanwhile()
    {
        var talk = Start();
        var greeting = talk.GreetThenBridgeAsync(new FakeSource("trainee", 50), new FakeSource("trainee", 50));
        await _caller.PlayedAsync("trainee");
        await _agent.PlayedAsync("trainee");
        _time.Advance(TimeSpan.FromSeconds(1));
        await greeting;
        Assert.That((_caller.Hearing, _agent.Hearing), Is.EqualTo(("bridge", "bridge")));

        var second = talk.GreetThenBridgeAsync(new FakeSource("trainee", 50), new FakeSource("trainee", 50));
        talk.Hold(out _);
        _time.Advance(TimeSpan.FromSeconds(1));
        await second;
        Assert.That(_caller.Hearing, Is.EqualTo("moh"), "the hold wins: its resume restores the bridge");
    }

    [Test]
    public async Task The_end_of_the_talk_closes_an_open_hold_hangs_up_both_legs_and_starts_the_wrap_up_once()
    {
        var talk = Start();
        Assert.That(talk.Hold(out var error), Is.True, error);
        _time.Advance(TimeSpan.FromSeconds(12));
        _caller.RemoteHangup(); // The caller leaves while on hold.
        var wrapUps = 0;

        var (byAgent, wrapUp) = await talk.EndAsync(() => { wrapUps++; return Task.FromResult(TimeSpan.FromSeconds(7)); }, "general", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That((byAgent, wrapUp, wrapUps), Is.EqualTo((false, TimeSpan.FromSeconds(7), 1)), "the caller ended it; one wrap-up");
            Assert.That((_session.Lifecycle.IsOnHold, _agent.State), Is.EqualTo((false, CallLegState.Ended)));
            Assert.That(_session.Timeline.Summary(HangupBy.Caller, "normal", wrapUp).HoldMs, Is.EqualTo(12000), "the open hold is counted");
            Assert.That(_session.Timeline.EndedAt, Is.EqualTo(_time.GetUtcNow()));
        });
        _time.Advance(TalkStage.HoldAnnouncementPeriod);
        Assert.That(_caller.PlaysSoFar(), Has.None.EqualTo("still-holding"), "no announcement once the talk ended");
    }

    [Test]
    public async Task The_end_after_the_agent_left_says_so_and_hangs_up_the_caller()
    {
        var talk = Start();
        await talk.HangupAsync(CancellationToken.None);

        var (byAgent, _) = await talk.EndAsync(() => Task.FromResult(TimeSpan.Zero), "general", CancellationToken.None);
        Assert.That((byAgent, _caller.State, _agent.State), Is.EqualTo((true, CallLegState.Ended, CallLegState.Ended)));
    }

    private TalkStage Start() => new(_session, _caller, _callerGone.Task, "a1", _agent, _telephony,
        new FakePromptLibrary(), _time, NullLogger.Instance, () => _inConference);

    private FakeCallLeg Answered(string user)
    {
        var leg = new FakeCallLeg(user, "12345", CallLegDirection.Inbound, _time);
        leg.AnswerAsync(CancellationToken.None).GetAwaiter().GetResult();
        return leg;
    }
}
