using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Outbound;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;
using Hotline.AcdEngine.Dialing;

namespace Hotline.AcdEngine.Tests.Outbound;

/// <summary>Outbound calls (click-to-call, callbacks, softphone dials) over fake telephony in virtual time (issue 10).</summary>
[TestFixture]
public sealed class OutboundCallTests
{
    [Test]
    public async Task Click_to_call_rings_the_agent_then_the_number_bridges_them_and_ends_in_the_survey()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall());
        acd.SignIn("a1");
        var finished = acd.FinishedAsync();
        var outcome = acd.Dialer.Dial("a1", "139 0013-9000", "WO00000007");
        Assert.That(outcome.Ok, Is.True, outcome.Error);

        var agent = await acd.Telephony.NextDialAsync();
        Assert.That((agent.Target, agent.Options.CallerId, agent.Options.DisplayName), Is.EqualTo(("1001", "13900139000", "Callback WO00000007")));
        Assert.That(agent.Options.Headers!["X-Hotline-Call"], Is.EqualTo(outcome.CallId));
        Assert.That(acd.Telephony.HasPendingDial, Is.False, "the number is dialled only once the agent answers");
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Ringing));
        acd.Time.Advance(TimeSpan.FromSeconds(3));
        agent.Answer();

        var number = await acd.Telephony.NextDialAsync();
        Assert.That((number.Target, number.Options.CallerId), Is.EqualTo(("sip:13900139000@gw.example.org:5070", "12345")), "via the gateway, as the hotline");
        Assert.That(acd.Dialer.Find(outcome.CallId)!.SetupTime, Is.EqualTo(TimeSpan.Zero), "dialled in the same instant as the answer");
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Talking));
        acd.Time.Advance(TimeSpan.FromSeconds(5));
        number.Answer();
        var bridge = await acd.Telephony.NextBridgeAsync();
        Assert.That(new[] { bridge.A, bridge.B }, Is.EquivalentTo(new ICallLeg[] { agent.Leg, number.Leg }));
        foreach (var key in "12#") agent.FakeLeg.Press(key);
        Assert.That(number.FakeLeg.SentDigits, Is.EqualTo("12#".ToCharArray()), "the agent's keys are relayed to the called party (RFC 4733)");

        acd.Time.Advance(TimeSpan.FromSeconds(42));
        var (ok, error) = await acd.Dialer.FindByAgent("a1")!.HangupByAgentAsync("a1", CancellationToken.None);
        Assert.That(ok, Is.True, error);
        await number.FakeLeg.PlayedAsync("survey");
        number.FakeLeg.Press('1');
        await number.FakeLeg.PlayedAsync("survey-thanks");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await number.FakeLeg.EndedTask.WaitAsync(TimeSpan.FromSeconds(10));
        acd.Time.Advance(TimeSpan.FromSeconds(9)); // Wrap-up (10 s from the agent's hang-up).
        await finished;

        var events = acd.Sink.CallEvents(outcome.CallId);
        Assert.That(events.Select(e => e.PayloadCase), Is.EqualTo(new[]
        {
            Kind.Offered, Kind.AgentRinging, Kind.RingEnded, Kind.Answered, Kind.SatisfactionRated, Kind.Ended,
        }));
        Assert.That(events.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, events.Count).Select(i => (ulong)i)));
        var offered = events[0].Offered;
        var rated = events[4].SatisfactionRated;
        var ended = events[5].Ended;
        Assert.Multiple(() =>
        {
            Assert.That((offered.Direction, offered.WorkOrderId, offered.AgentId, offered.CallerNumber), Is.EqualTo((CallDirection.Outbound, "WO00000007", "a1", "13900139000")));
            Assert.That((rated.AgentId, rated.Queue, rated.Score, rated.Direction), Is.EqualTo(("a1", "outbound", SatisfactionScore.Satisfied, CallDirection.Outbound)));
            Assert.That((ended.Direction, ended.HangupBy, ended.Reason), Is.EqualTo((CallDirection.Outbound, HangupBy.Agent, "normal")));
            Assert.That((ended.RingMs, ended.TalkMs, ended.WrapUpMs), Is.EqualTo((3000u, 42000u, 10000u)));
            Assert.That(ended.FirstResponderAgentId, Is.EqualTo("a1"));
        });
    }

    [Test]
    public async Task Hold_on_a_callback_plays_music_to_the_called_party_announces_it_and_reports_the_held_time()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall());
        acd.SignIn("a1");
        acd.SignIn("a2");
        var finished = acd.FinishedAsync();
        var outcome = acd.Dialer.Dial("a1", "13900139000", "WO00000007");
        var agent = await acd.Telephony.NextDialAsync();
        agent.Answer();
        var number = await acd.Telephony.NextDialAsync();
        var flow = acd.Dialer.Find(outcome.CallId)!;
        var early = flow.Hold("a1");
        Assert.That((early.Refusal, early.Error), Is.EqualTo((ControlRefusal.NotNow, "The called party has not answered.")), "nobody to hold yet");
        number.Answer();
        await acd.Telephony.NextBridgeAsync();

        Assert.That(flow.Hold("a2").Refusal, Is.EqualTo(ControlRefusal.NoSuchCall), "another agent's call");
        Assert.That(flow.Hold("a1").Ok, Is.True);
        Assert.That((number.FakeLeg.Hearing, agent.FakeLeg.Hearing), Is.EqualTo(("moh", "silence")), "the called party hears music, the agent silence");
        var twice = flow.Hold("a1");
        Assert.That((twice.Refusal, twice.Error), Is.EqualTo((ControlRefusal.NotNow, "The call is already on hold.")));
        acd.Time.Advance(TimeSpan.FromSeconds(30));
        await number.FakeLeg.PlayedAsync("still-holding"); // DOMAIN.md: a hold over 30 s is announced, on callbacks too.
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await number.FakeLeg.PlayedAsync("moh");
        acd.Time.Advance(TimeSpan.FromSeconds(11));
        Assert.That(flow.Resume("a1").Ok, Is.True);
        await acd.Telephony.NextBridgeAsync();
        Assert.That(number.FakeLeg.Hearing, Is.EqualTo("bridge"));
        Assert.That(flow.Resume("a1").Error, Is.EqualTo("The call is not on hold."));

        acd.Time.Advance(TimeSpan.FromSeconds(8));
        number.FakeLeg.RemoteHangup(); // The called party first: no survey.
        await acd.WaitForAgentAsync("a1", AgentState.WrapUp);
        Assert.That(flow.HasEnded, Is.True, "in the agent's wrap-up nothing is left to control: a desk command is told the call ended");
        acd.Time.Advance(TimeSpan.FromSeconds(10));
        await finished;
        var events = acd.Sink.CallEvents(outcome.CallId);
        Assert.That(events.Select(e => e.PayloadCase), Is.EqualTo(new[]
        {
            Kind.Offered, Kind.AgentRinging, Kind.RingEnded, Kind.Answered, Kind.Held, Kind.Resumed, Kind.Ended,
        }));
        var ended = events[^1].Ended;
        Assert.Multiple(() =>
        {
            Assert.That(events[4].Held.AgentId, Is.EqualTo("a1"));
            Assert.That(events[5].Resumed.HeldMs, Is.EqualTo(42000));
            Assert.That((ended.HangupBy, ended.HoldMs, ended.TalkMs), Is.EqualTo((HangupBy.Caller, 42000u, 8000u)), "talk excludes hold");
        });
        var gone = flow.Hold("a1");
        Assert.That(gone.Ok, Is.False, "nothing to hold once the call ended");
    }

    [Test]
    public async Task The_agent_phones_hold_reinvite_holds_the_called_party_and_hanging_up_on_hold_sends_them_to_the_survey()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall());
        acd.SignIn("a1");
        var finished = acd.FinishedAsync();
        var outcome = acd.Dialer.Dial("a1", "13900139000", null);
        var agent = await acd.Telephony.NextDialAsync();
        agent.Answer();
        var number = await acd.Telephony.NextDialAsync();
        number.Answer();
        await acd.Telephony.NextBridgeAsync();

        agent.FakeLeg.PhoneHold(true); // The softphone's sendonly re-INVITE (RFC 3264 §8.4).
        Assert.That(number.FakeLeg.Hearing, Is.EqualTo("moh"));
        Assert.That(acd.Dialer.Find(outcome.CallId)!.Stage, Is.EqualTo(Hotline.AcdEngine.Calls.CallStage.Talking));
        acd.Time.Advance(TimeSpan.FromSeconds(5));
        agent.FakeLeg.PhoneHold(false);
        await acd.Telephony.NextBridgeAsync();
        Assert.That(number.FakeLeg.Hearing, Is.EqualTo("bridge"));
        agent.FakeLeg.PhoneHold(true);
        acd.Time.Advance(TimeSpan.FromSeconds(3));

        var (ok, error) = await acd.Dialer.Find(outcome.CallId)!.HangupByAgentAsync("a1", CancellationToken.None);
        Assert.That(ok, Is.True, error);
        await number.FakeLeg.PlayedAsync("survey"); // The agent left while the party was on hold: the survey, not the music.
        acd.Time.Advance(TimeSpan.FromSeconds(30));
        number.FakeLeg.Press('1');
        await number.FakeLeg.PlayedAsync("survey-thanks");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await number.FakeLeg.EndedTask.WaitAsync(TimeSpan.FromSeconds(10));
        acd.Time.Advance(TimeSpan.FromSeconds(10));
        await finished;
        Assert.That(number.FakeLeg.PlaysSoFar(), Has.None.EqualTo("still-holding"), "no hold announcement over the survey");
        var events = acd.Sink.CallEvents(outcome.CallId);
        Assert.That(events.Select(e => e.PayloadCase), Is.EqualTo(new[]
        {
            Kind.Offered, Kind.AgentRinging, Kind.RingEnded, Kind.Answered, Kind.Held, Kind.Resumed, Kind.Held,
            Kind.SatisfactionRated, Kind.Ended,
        }));
        var ended = events[^1].Ended;
        Assert.That((ended.HangupBy, ended.HoldMs), Is.EqualTo((HangupBy.Agent, 8000u)), "the hold open at the hang-up is counted to it");
    }

    [Test]
    public async Task A_busy_number_releases_the_agent_with_reason_busy()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall());
        acd.SignIn("a1");
        var finished = acd.FinishedAsync();
        acd.Dialer.Dial("a1", "13900139000", null);
        var agent = await acd.Telephony.NextDialAsync();
        agent.Answer();
        var number = await acd.Telephony.NextDialAsync();
        number.Reject(486);
        await agent.FakeLeg.EndedTask.WaitAsync(TimeSpan.FromSeconds(10));
        await acd.WaitForAgentAsync("a1", AgentState.WrapUp);
        acd.Time.Advance(TimeSpan.FromSeconds(10));
        await finished;
        var ended = acd.Sink.CallEvents().Last().Ended;
        Assert.That((ended.Reason, ended.Direction, ended.TalkMs), Is.EqualTo(("busy", CallDirection.Outbound, 0u)));
        Assert.That(acd.Sink.CallEvents().Any(e => e.PayloadCase is Kind.Answered or Kind.SatisfactionRated), Is.False);
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready));
    }

    [Test]
    public async Task Agent_not_answering_their_own_click_to_call_goes_back_to_ready_and_the_number_is_never_dialled()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall());
        acd.SignIn("a1");
        var finished = acd.FinishedAsync();
        acd.Dialer.Dial("a1", "13900139000", null);
        await acd.Telephony.NextDialAsync();
        acd.Time.Advance(TimeSpan.FromSeconds(20)); // Outbound:AgentRingTimeoutSeconds.
        await finished;
        Assert.That(acd.Telephony.HasPendingDial, Is.False);
        Assert.That(acd.Sink.CallEvents().Last().Ended.Reason, Is.EqualTo("agent-no-answer"));
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready));
    }

    [TestCase("110", DialRefusal.NumberNotAllowed)]
    [TestCase("13900139000; drop", DialRefusal.NumberNotAllowed)]
    [TestCase("", DialRefusal.NumberNotAllowed)]
    public void Numbers_outside_the_dial_plan_are_refused_and_nothing_happens(string number, DialRefusal refusal)
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall());
        acd.SignIn("a1");
        var outcome = acd.Dialer.Dial("a1", number, null);
        Assert.That((outcome.Ok, outcome.Refusal), Is.EqualTo((false, refusal)));
        Assert.That(acd.Telephony.HasPendingDial, Is.False);
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready));
        Assert.That(acd.Sink.CallEvents(), Is.Empty);
    }

    [Test]
    public void Unknown_or_busy_agents_and_a_missing_gateway_are_refused()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall());
        Assert.That(acd.Dialer.Dial("zz", "13900139000", null).Refusal, Is.EqualTo(DialRefusal.UnknownAgent));
        var notReady = acd.Dialer.Dial("a1", "13900139000", null);
        Assert.That((notReady.Refusal, notReady.Error), Is.EqualTo((DialRefusal.AgentNotReady, "Agent a1 is SignedOut, not ready: an outbound call needs a ready agent.")));
        using var noGateway = new AcdHarness(AcdSetup.WithAfterCall(outbound: new OutboundOptions()));
        noGateway.Ready("a1");
        Assert.That(noGateway.Dialer.Dial("a1", "13900139000", null).Error, Does.Contain("Outbound:Gateway"));
        Assert.That(acd.Telephony.HasPendingDial || noGateway.Telephony.HasPendingDial, Is.False);
    }

    [Test]
    public async Task An_agent_dialling_a_number_from_the_softphone_is_connected_through_the_gateway()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall());
        acd.SignIn("a1");
        var agentLeg = acd.Telephony.Call("1001", "13900139000");
        await agentLeg.Answered.WaitAsync(TimeSpan.FromSeconds(10));
        var number = await acd.Telephony.NextDialAsync();
        Assert.That(number.Target, Is.EqualTo("sip:13900139000@gw.example.org:5070"));
        number.Answer();
        await acd.Telephony.NextBridgeAsync();
        var offered = (await acd.Sink.WaitForCallAsync(Kind.Offered)).Offered;
        Assert.That((offered.Direction, offered.AgentId), Is.EqualTo((CallDirection.Outbound, "a1")));
        number.FakeLeg.RemoteHangup(); // The called party first: no survey.
        await agentLeg.EndedTask.WaitAsync(TimeSpan.FromSeconds(10));
        await acd.WaitForAgentAsync("a1", AgentState.WrapUp);
        acd.Time.Advance(TimeSpan.FromSeconds(10));
        var ended = (await acd.Sink.WaitForCallAsync(Kind.Ended)).Ended;
        Assert.That(ended.HangupBy, Is.EqualTo(HangupBy.Caller));
    }

    [Test]
    public async Task A_softphone_dial_by_an_agent_who_is_not_ready_is_refused_with_486()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall());
        var agentLeg = acd.Telephony.Call("1001", "13900139000");
        await agentLeg.EndedTask.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(agentLeg.RejectedWith, Is.EqualTo(486));
        Assert.That(acd.Telephony.HasPendingDial, Is.False);
    }

    [Test]
    public void Dial_plan_deny_wins_and_gateway_uris_are_checked()
    {
        var plan = new DialPlan(new OutboundOptions { Gateway = "sip:trunk@10.0.0.1:5060;transport=udp", Deny = [@"^1390000"] });
        Assert.That(plan.TryResolve("13900001111", out _, out _, out var denied), Is.False);
        Assert.That(denied, Does.Contain("dial plan"));
        Assert.That(plan.TryResolve("02088886666", out _, out var target, out _), Is.True);
        Assert.That(target, Is.EqualTo("sip:02088886666@10.0.0.1:5060;transport=udp"));
        Assert.That(DialPlan.Problems(new OutboundOptions { Gateway = "http://x", Allow = ["("], CallerId = "abc" }).ToList(), Has.Count.EqualTo(3));
    }

    [Test]
    public async Task A_phone_system_that_cannot_dial_releases_the_agent_and_records_the_error()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall(telephony: new ThrowingTelephony()));
        acd.SignIn("a1");
        var finished = acd.FinishedAsync();
        Assert.That(acd.Dialer.Dial("a1", "13900139000", "WO00000001").Ok, Is.True);
        await finished;
        Assert.That(acd.Sink.CallEvents().Last().Ended.Reason, Is.EqualTo("error"));
        Assert.That((acd.Roster.Get("a1").State, acd.Roster.Get("a1").Reason), Is.EqualTo((AgentState.NotReady, "unreachable")));
    }

    private sealed class ThrowingTelephony : ITelephony
    {
        public event EventHandler<IncomingCallEventArgs>? IncomingCall { add { } remove { } }
        public IOutboundCall Dial(string target, DialOptions options) => throw new InvalidOperationException("no SIP");
        public void Bridge(ICallLeg a, ICallLeg b) => throw new InvalidOperationException("no SIP");
        public IConference CreateConference() => throw new InvalidOperationException("no SIP");
    }
}
