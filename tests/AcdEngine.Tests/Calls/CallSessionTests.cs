using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Recording;
using Hotline.AcdEngine.Survey;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Microsoft.Extensions.Logging.Abstractions;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Calls;

/// <summary>What both flows share (issue 16): events, recording, survey hand-off and teardown, each written once.</summary>
[TestFixture]
public sealed class CallSessionTests
{
    private readonly ObservableTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
    private readonly RecordingSink _sink = new();
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("hotline-session-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Events_carry_the_call_id_and_a_per_call_sequence_and_call_ended_the_session_direction()
    {
        var session = New(CallDirection.Outbound);
        session.Emit(new CallEvent { Offered = new CallOffered { Direction = CallDirection.Outbound } });
        _time.Advance(TimeSpan.FromSeconds(3));
        var ended = session.Ended(HangupBy.Agent, "normal", TimeSpan.FromSeconds(2), "", TimeSpan.FromSeconds(1));

        var events = _sink.CallEvents(session.CallId);
        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Sequence), Is.EqualTo(new ulong[] { 1, 2 }));
            Assert.That(events.Select(e => e.EventId).Distinct().Count(), Is.EqualTo(2));
            Assert.That(events[1].PayloadCase, Is.EqualTo(Kind.Ended));
            Assert.That(ended.Direction, Is.EqualTo(CallDirection.Outbound));
            Assert.That((ended.HangupBy, ended.Reason, ended.WrapUpMs, ended.ConferenceMs), Is.EqualTo((HangupBy.Agent, "normal", 2000u, 1000u)));
            Assert.That(session.CallId, Does.StartWith("c-"));
            Assert.That(New(CallDirection.Inbound).CallId, Is.Not.EqualTo(session.CallId));
        });
    }

    [Test]
    public async Task A_recording_starts_once_and_its_location_is_published_once_then_the_teardown_hangs_up_and_ends_the_stage()
    {
        var session = New(CallDirection.Inbound);
        var leg = Answered("13800138000");
        var other = Answered("1001");
        session.StartRecording(leg);
        session.StartRecording(other); // Not a second file: the first leg already hears every party.
        _time.Advance(TimeSpan.FromSeconds(4));

        var location = await session.ReleaseAsync(leg, null, other);

        Assert.Multiple(() =>
        {
            Assert.That(location, Is.EqualTo(RecordingFile.IdOf(session.CallId)));
            var available = _sink.CallEvents(session.CallId).Single(e => e.PayloadCase == Kind.RecordingAvailable).RecordingAvailable;
            Assert.That((available.Location, available.DurationMs), Is.EqualTo((location, 4000u)));
            Assert.That(leg.State, Is.EqualTo(CallLegState.Ended));
            Assert.That(other.State, Is.EqualTo(CallLegState.Ended));
            Assert.That(session.Lifecycle.Stage, Is.EqualTo(CallStage.Ended));
            Assert.That(session.FinishRecording(), Is.Empty, "published once");
        });
    }

    [Test]
    public async Task A_requested_survey_runs_even_when_disabled_and_is_rated_in_the_session_direction()
    {
        var session = New(CallDirection.Outbound, new SurveyOptions { Enabled = false });
        var party = Answered("13800138000");
        session.RequestSurvey();
        var survey = session.SurveyAsync(party, "a1", "outbound", CancellationToken.None);
        await party.PlayedAsync("survey");
        party.Press('2');
        await party.PlayedAsync("survey-thanks"); // A rating is thanked.
        party.RemoteHangup();
        await survey;

        var rated = _sink.CallEvents(session.CallId).Single(e => e.PayloadCase == Kind.SatisfactionRated).SatisfactionRated;
        Assert.That((rated.AgentId, rated.Queue, rated.Score, rated.Direction),
            Is.EqualTo(("a1", "outbound", SatisfactionScore.BasicallySatisfied, CallDirection.Outbound)));
    }

    [Test]
    public async Task No_survey_is_due_when_it_is_disabled_and_not_requested()
    {
        var session = New(CallDirection.Inbound, new SurveyOptions { Enabled = false });
        var caller = Answered("13800138000");
        await session.SurveyAsync(caller, "a1", "general", CancellationToken.None);
        Assert.That(_sink.CallEvents(session.CallId), Is.Empty);
        Assert.That(caller.PlaysSoFar(), Is.Empty);
    }

    [Test]
    public async Task A_calls_life_offers_runs_the_phases_then_tears_down_ends_and_closes_its_owner()
    {
        var session = New(CallDirection.Outbound);
        var leg = Answered("13900139000");
        await session.RunAsync(new CallOffered { CallerNumber = "13900139000" }, _ =>
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            return Task.FromResult(new CallOutcome(HangupBy.Agent, "normal", TimeSpan.FromSeconds(3)));
        }, legs: () => [leg, null], closeConference: () => Task.FromResult(TimeSpan.FromSeconds(2)));

        var events = _sink.CallEvents(session.CallId);
        Assert.That(events.Select(e => e.PayloadCase), Is.EqualTo(new[] { Kind.Offered, Kind.Ended }));
        var ended = events[1].Ended;
        Assert.Multiple(() =>
        {
            Assert.That(events[0].Offered.Direction, Is.EqualTo(CallDirection.Outbound), "the session's direction");
            Assert.That((ended.HangupBy, ended.Reason, ended.WrapUpMs, ended.ConferenceMs), Is.EqualTo((HangupBy.Agent, "normal", 3000u, 2000u)));
            Assert.That((leg.State, session.Lifecycle.IsEnded, session.Owner.IsClosed), Is.EqualTo((CallLegState.Ended, true, true)));
        });
    }

    [Test]
    public async Task A_failing_call_ends_as_error_after_its_failure_handler_and_a_shutdown_as_shutdown_both_torn_down()
    {
        var failing = New(CallDirection.Inbound);
        var leg = Answered("13800138000");
        var handled = 0;
        await failing.RunAsync(new CallOffered(), _ => throw new InvalidOperationException("a leg broke"),
            legs: () => [leg], onFailure: () => handled++);
        Assert.That((handled, leg.State, failing.Owner.IsClosed), Is.EqualTo((1, CallLegState.Ended, true)));
        Assert.That(_sink.CallEvents(failing.CallId)[^1].Ended.Reason, Is.EqualTo("error"));

        var stopping = New(CallDirection.Inbound);
        var other = Answered("13800138001");
        using var shutdown = new CancellationTokenSource();
        await stopping.RunAsync(new CallOffered(), async token =>
        {
            await shutdown.CancelAsync();
            token.ThrowIfCancellationRequested();
            return new CallOutcome(HangupBy.Caller, "normal", TimeSpan.Zero);
        }, legs: () => [other], ct: shutdown.Token);
        Assert.That((_sink.CallEvents(stopping.CallId)[^1].Ended.Reason, other.State), Is.EqualTo(("shutdown", CallLegState.Ended)));
    }

    private CallSession New(CallDirection direction, SurveyOptions? survey = null) => new(
        direction, "acd-test", _time, _sink, NullLogger.Instance,
        new CallRecordings(_root, new RecordingOptions { Enabled = true }, _time, NullLogger<CallRecordings>.Instance),
        new PostCallSurvey(survey ?? new SurveyOptions(), new FakePromptLibrary(), _time));

    private FakeCallLeg Answered(string user)
    {
        var leg = new FakeCallLeg(user, "12345", CallLegDirection.Inbound, _time) { CanRecord = true };
        leg.AnswerAsync(CancellationToken.None).GetAwaiter().GetResult();
        return leg;
    }
}
