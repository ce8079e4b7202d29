using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Hours;
using Hotline.AcdEngine.Routing;

namespace Hotline.AcdEngine.Tests.Routing;

/// <summary>The inbound flow end to end over fake telephony, in virtual time (ARCHITECTURE.md "a call's life").</summary>
[TestFixture]
public sealed class InboundFlowTests
{
    private static AcdOptions WithMenu()
    {
        var o = AcdHarness.DefaultOptions();
        o.Queues["complaints"] = new QueueOptions();
        o.Ivr.Options["1"] = new IvrChoiceOptions { Queue = "general", Nature = "consultation" };
        o.Ivr.Options["2"] = new IvrChoiceOptions { Queue = "complaints", Nature = "complaint" };
        return o;
    }

    [Test]
    public async Task Greeting_menu_queue_rona_then_next_agent_answers_with_exact_wait_and_wrap_up_to_ready()
    {
        using var acd = new AcdHarness(WithMenu());
        acd.Ready("a1", "a2"); // a1 idle longest.
        var finished = acd.WaitForCallFinishedAsync();
        var caller = acd.Telephony.Call("13800138000", "12345");

        await caller.Answered;
        Assert.That((await caller.NextPlayAsync()).Name, Is.EqualTo("greeting"));
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        Assert.That((await caller.NextPlayAsync()).Name, Is.EqualTo("menu"));
        acd.Time.Advance(TimeSpan.FromMilliseconds(500));
        caller.Press('1');
        Assert.That((await caller.NextPlayAsync()).Name, Is.EqualTo("moh"));

        var first = await acd.Telephony.NextDialAsync();
        Assert.That(first.Target, Is.EqualTo("1001"), "longest idle agent first");
        Assert.That(first.Options.Headers!["X-Hotline-Call"], Does.StartWith("c-"));
        acd.Time.Advance(TimeSpan.FromSeconds(15)); // a1 never answers: ring timeout → RONA.
        var second = await acd.Telephony.NextDialAsync();
        Assert.That(second.Target, Is.EqualTo("1002"));
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.NotReady));
        Assert.That(acd.Roster.Get("a1").Reason, Is.EqualTo("rona"));

        acd.Time.Advance(TimeSpan.FromMilliseconds(2020));
        second.Answer();
        var bridge = await acd.Telephony.NextBridgeAsync();
        Assert.That(new[] { bridge.A, bridge.B }, Is.EquivalentTo(new ICallLeg[] { caller, second.Leg }));
        var answered = (await acd.Sink.WaitForCallAsync(Kind.Answered)).Answered;
        Assert.Multiple(() =>
        {
            Assert.That(answered.AgentId, Is.EqualTo("a2"));
            Assert.That(answered.WaitMs, Is.EqualTo(17020), "queue entry → answer, to the 20 ms frame");
            Assert.That(answered.WithinServiceLevel, Is.False, "17.02 s > 15 s");
            Assert.That(answered.ServiceLevelMs, Is.EqualTo(15000));
            Assert.That(acd.Roster.Get("a2").State, Is.EqualTo(AgentState.Talking));
        });

        acd.Time.Advance(TimeSpan.FromSeconds(60));
        var wrapUp = acd.WaitForAgentAsync("a2", AgentState.WrapUp);
        caller.RemoteHangup();
        await wrapUp;
        Assert.That(second.FakeLeg.State, Is.EqualTo(CallLegState.Ended), "the agent's leg is hung up with the caller's");
        var ready = acd.WaitForAgentAsync("a2", AgentState.Ready);
        acd.Time.Advance(TimeSpan.FromSeconds(10));
        await ready;
        await finished;

        var events = acd.Sink.CallEvents();
        Assert.That(events.Select(e => e.PayloadCase), Is.EqualTo(new[]
        {
            Kind.Offered, Kind.IvrChoice, Kind.Queued, Kind.AgentRinging, Kind.RingEnded, Kind.AgentRinging, Kind.RingEnded, Kind.Answered, Kind.Ended,
        }));
        Assert.That(events.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, events.Count).Select(i => (ulong)i)));
        var ivr = events.Single(e => e.PayloadCase == Kind.IvrChoice).IvrChoice;
        var rona = events.First(e => e.PayloadCase == Kind.RingEnded).RingEnded;
        var ended = events.Last().Ended;
        Assert.Multiple(() =>
        {
            Assert.That(ivr.Nature, Is.EqualTo("consultation"));
            Assert.That(rona.Result, Is.EqualTo(RingResult.NoAnswer));
            Assert.That(rona.RingMs, Is.EqualTo(15000));
            Assert.That(ended.HangupBy, Is.EqualTo(HangupBy.Caller));
            Assert.That(ended.TalkMs, Is.EqualTo(60000));
            Assert.That(ended.QueueMs, Is.EqualTo(17020));
            Assert.That(ended.WrapUpMs, Is.EqualTo(10000));
            Assert.That(ended.FirstResponderAgentId, Is.EqualTo("a2"));
            Assert.That(events.Select(e => e.CallId).Distinct().Count(), Is.EqualTo(1));
        });
        var stats = acd.Stats.Snapshot().Queues.Single(q => q.Queue == "general");
        Assert.That((stats.OfferedToday, stats.AnsweredToday, stats.AnsweredWithinServiceLevelToday, stats.AverageSpeedOfAnswerMs), Is.EqualTo((1, 1, 0, 17020L)));
    }

    [Test]
    public async Task Menu_digit_routes_to_its_queue_and_an_answer_within_15_s_is_timely()
    {
        var o = WithMenu();
        o.RingTimeoutSeconds = 20;
        using var acd = new AcdHarness(o, AcdHarness.Agent("a1", "1001", "general"), AcdHarness.Agent("c1", "2001", "complaints"));
        acd.Ready("a1", "c1");
        var caller = acd.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        await caller.PlayedAsync("menu");
        caller.Press('2');
        var dial = await acd.Telephony.NextDialAsync();
        Assert.That(dial.Target, Is.EqualTo("2001"));
        acd.Time.Advance(TimeSpan.FromSeconds(15));
        dial.Answer();
        var answered = (await acd.Sink.WaitForCallAsync(Kind.Answered)).Answered;
        Assert.That((answered.Queue, answered.WaitMs, answered.WithinServiceLevel), Is.EqualTo(("complaints", 15000u, true)), "15 000 ms is within 15 s");
    }

    [Test]
    public async Task No_key_after_the_menu_and_its_repeat_sends_the_caller_to_the_default_queue()
    {
        var o = WithMenu();
        o.Ivr.Retries = 1;
        using var acd = new AcdHarness(o);
        var caller = acd.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            await caller.PlayedAsync("menu");
            acd.Time.ForgetTimers();
            acd.Time.Advance(FakePromptLibrary.MenuLength);
            await acd.Time.TimerArmedAsync(TimeSpan.FromSeconds(5)); // Acd:Ivr:TimeoutSeconds after the menu.
            acd.Time.Advance(TimeSpan.FromSeconds(5));
        }
        var queued = (await acd.Sink.WaitForCallAsync(Kind.Queued)).Queued;
        Assert.That(queued.Queue, Is.EqualTo("general"));
        Assert.That(acd.Sink.CallEvents().Any(e => e.PayloadCase == Kind.IvrChoice), Is.False);
        Assert.That((await caller.NextPlayAsync()).Name, Is.EqualTo("moh"));
    }

    [Test]
    public async Task Caller_hanging_up_while_queued_is_abandoned_with_its_wait()
    {
        using var acd = new AcdHarness();
        var caller = acd.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        await caller.PlayedAsync("moh");
        acd.Time.Advance(TimeSpan.FromMilliseconds(7340));
        caller.RemoteHangup();
        var abandoned = (await acd.Sink.WaitForCallAsync(Kind.Abandoned)).Abandoned;
        Assert.That((abandoned.Where, abandoned.WaitMs, abandoned.Queue), Is.EqualTo((AbandonPoint.Queue, 7340u, "general")));
        await acd.Sink.WaitForCallAsync(Kind.Ended);
        Assert.That(acd.Stats.Snapshot().Queues[0].AbandonedToday, Is.EqualTo(1));
        Assert.That(acd.Stats.Snapshot().Queues[0].Waiting, Is.EqualTo(0));
    }

    [Test]
    public async Task Caller_hanging_up_while_an_agent_rings_cancels_the_agents_invite()
    {
        using var acd = new AcdHarness();
        acd.Ready("a1");
        var caller = acd.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        var dial = await acd.Telephony.NextDialAsync();
        acd.Time.Advance(TimeSpan.FromSeconds(4));
        var backToReady = acd.WaitForAgentAsync("a1", AgentState.Ready);
        caller.RemoteHangup();
        var abandoned = (await acd.Sink.WaitForCallAsync(Kind.Abandoned)).Abandoned;
        await backToReady;
        var ring = acd.Sink.CallEvents().Single(e => e.PayloadCase == Kind.RingEnded).RingEnded;
        Assert.Multiple(() =>
        {
            Assert.That(dial.Cancelled, Is.True, "CANCEL sent to the agent's phone");
            Assert.That(abandoned.Where, Is.EqualTo(AbandonPoint.Ringing));
            Assert.That(abandoned.WaitMs, Is.EqualTo(4000));
            Assert.That(ring.Result, Is.EqualTo(RingResult.Cancelled));
            Assert.That(acd.Roster.Get("a1").Reason, Is.Empty, "a cancelled ring is not the agent's fault");
        });
    }

    [Test]
    public async Task Max_wait_overflows_to_a_callback_request_with_a_keyed_number()
    {
        var o = AcdHarness.DefaultOptions();
        o.Queues["general"].MaxWaitSeconds = 30;
        using var acd = new AcdHarness(o);
        var caller = acd.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        await caller.PlayedAsync("moh");
        acd.Time.Advance(TimeSpan.FromSeconds(30));
        await caller.PlayedAsync("callback-enter-number");
        foreach (var d in "13900139000#") caller.Press(d);
        var callback = (await acd.Sink.WaitForCallAsync(Kind.CallbackRequested)).CallbackRequested;
        Assert.That((callback.Queue, callback.Number), Is.EqualTo(("general", "13900139000")));
        await caller.PlayedAsync("callback-thanks");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        var ended = (await acd.Sink.WaitForCallAsync(Kind.Ended)).Ended;
        Assert.That((ended.HangupBy, ended.Reason, ended.QueueMs), Is.EqualTo((HangupBy.System, "callback-max-wait", 30000u)));
        Assert.That(caller.State, Is.EqualTo(CallLegState.Ended));
    }

    [Test]
    public async Task A_full_queue_overflows_at_once_and_hash_keeps_the_callers_own_number()
    {
        var o = AcdHarness.DefaultOptions();
        o.Queues["general"].MaxLength = 1;
        using var acd = new AcdHarness(o);
        var first = acd.Telephony.Call("13800000001", "12345");
        await first.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        await first.PlayedAsync("moh");
        var second = acd.Telephony.Call("13800000002", "12345");
        await second.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        await second.PlayedAsync("callback-enter-number");
        second.Press('#');
        var callback = (await acd.Sink.WaitForCallAsync(Kind.CallbackRequested)).CallbackRequested;
        Assert.That(callback.Number, Is.EqualTo("13800000002"));
        Assert.That(acd.Queues.Snapshot().Single(q => q.Queue == "general").Waiting, Is.EqualTo(1), "the first caller still waits");
    }

    [Test]
    public async Task Ring_all_rings_every_ready_agent_and_cancels_the_others_when_one_answers()
    {
        var o = AcdHarness.DefaultOptions();
        o.Queues["general"].Strategy = AcdEngine.Queues.QueueStrategy.RingAll;
        using var acd = new AcdHarness(o);
        acd.Ready("a1", "a2");
        var caller = acd.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        var d1 = await acd.Telephony.NextDialAsync();
        var d2 = await acd.Telephony.NextDialAsync();
        var backToReady = acd.WaitForAgentAsync("a1", AgentState.Ready);
        d2.Answer();
        await acd.Telephony.NextBridgeAsync();
        await backToReady;
        Assert.Multiple(() =>
        {
            Assert.That((d1.Target, d2.Target), Is.EqualTo(("1001", "1002")));
            Assert.That(d1.Cancelled, Is.True);
            Assert.That(d1.CompletedElsewhere, Is.True, "the loser's phone is told the call was answered elsewhere: no missed call");
            Assert.That(acd.Roster.Get("a2").State, Is.EqualTo(AgentState.Talking));
        });
    }

    [Test]
    public async Task A_caller_leaving_during_ring_all_cancels_every_phone_as_a_missed_call()
    {
        var o = AcdHarness.DefaultOptions();
        o.Queues["general"].Strategy = AcdEngine.Queues.QueueStrategy.RingAll;
        using var acd = new AcdHarness(o);
        acd.Ready("a1", "a2");
        var finished = acd.FinishedAsync();
        var caller = acd.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        var d1 = await acd.Telephony.NextDialAsync();
        var d2 = await acd.Telephony.NextDialAsync();
        caller.RemoteHangup();
        await finished;
        Assert.That((d1.Cancelled, d2.Cancelled, d1.CompletedElsewhere, d2.CompletedElsewhere), Is.EqualTo((true, true, false, false)),
            "nobody answered: a plain CANCEL, the phones may show the missed call");
    }

    [Test]
    public async Task A_number_that_is_neither_the_hotline_nor_a_feature_code_is_refused_404()
    {
        using var acd = new AcdHarness();
        var leg = acd.Telephony.Call("13800138000", "99999");
        await leg.EndedTask.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(leg.RejectedWith, Is.EqualTo(404));
        Assert.That(acd.Sink.CallEvents(), Is.Empty);
    }

    [Test]
    public async Task An_agent_feature_code_from_their_phone_signs_them_in_ready()
    {
        using var acd = new AcdHarness();
        var ready = acd.WaitForAgentAsync("a1", AgentState.Ready);
        var leg = acd.Telephony.Call("1001", "*11");
        await ready;
        await leg.PlayedAsync("feature-ok");
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready));
    }

    [Test]
    public async Task Closed_hours_send_the_caller_to_the_night_overflow_without_queueing()
    {
        var o = AcdHarness.DefaultOptions();
        o.BusinessHours = new BusinessHoursOptions { Enabled = true, Open = "10:00", Close = "18:00", ClosedAction = OverflowAction.Announce };
        using var acd = new AcdHarness(o); // Virtual clock: 09:00 UTC.
        acd.Ready("a1");
        var caller = acd.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("closed");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        var ended = (await acd.Sink.WaitForCallAsync(Kind.Ended)).Ended;
        Assert.That(ended.Reason, Is.EqualTo("closed"));
        Assert.That(acd.Telephony.HasPendingDial, Is.False);
    }
}

/// <summary>Announcements while queued, and hold/resume/hang-up by the agent (CTI call control).</summary>
[TestFixture]
public sealed class QueueAndCallControlTests
{
    [Test]
    public async Task A_waiting_caller_hears_their_position_every_period_then_the_music_again()
    {
        var o = AcdHarness.DefaultOptions();
        o.AnnounceEverySeconds = 30;
        using var acd = new AcdHarness(o);
        var first = acd.Telephony.Call("13800000001", "12345");
        await first.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        await first.PlayedAsync("moh");
        var second = acd.Telephony.Call("13800000002", "12345");
        await second.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        await second.PlayedAsync("moh");
        acd.Time.Advance(TimeSpan.FromSeconds(27)); // First caller: 30 s after its queue entry.
        Assert.That((await first.NextPlayAsync()).Name, Is.EqualTo("position-1"), "first caller announced at its 30 s");
        acd.Time.Advance(TimeSpan.FromSeconds(3)); // Second caller: 30 s after its queue entry.
        Assert.That((await second.NextPlayAsync()).Name, Is.EqualTo("position-2"));
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That((await second.NextPlayAsync()).Name, Is.EqualTo("moh"));
    }

    [Test]
    public async Task Hold_plays_music_to_the_caller_resume_bridges_again_and_held_time_is_reported()
    {
        using var acd = new AcdHarness();
        acd.Ready("a1");
        var caller = acd.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        var dial = await acd.Telephony.NextDialAsync();
        dial.Answer();
        await acd.Telephony.NextBridgeAsync();
        var flow = acd.Router.FindByAgent("a1")!;
        Assert.That(flow, Is.Not.Null);
        Assert.That(flow.Hold("a2", out var notYours), Is.False, notYours);
        Assert.That(flow.Hold("a1", out _), Is.True);
        Assert.That(caller.Hearing, Is.EqualTo("moh"));
        Assert.That(flow.Hold("a1", out var twice), Is.False, "already on hold: " + twice);
        acd.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.That(caller.Hearing, Is.EqualTo("moh"));
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That((await caller.PlayedAsync("still-holding")).Name, Is.EqualTo("still-holding"), "DOMAIN.md: a hold over 30 s is announced");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await caller.PlayedAsync("moh");
        acd.Time.Advance(TimeSpan.FromSeconds(11));
        Assert.That(flow.Resume("a1", out _), Is.True);
        await acd.Telephony.NextBridgeAsync();
        Assert.That(caller.Hearing, Is.EqualTo("bridge"));
        var resumed = (await acd.Sink.WaitForCallAsync(CallEvent.PayloadOneofCase.Resumed)).Resumed;
        Assert.That(resumed.HeldMs, Is.EqualTo(42000));

        acd.Time.Advance(TimeSpan.FromSeconds(8));
        var (ok, _) = await flow.HangupByAgentAsync("a1", CancellationToken.None);
        Assert.That(ok, Is.True);
        var wrapUp = acd.WaitForAgentAsync("a1", AgentState.WrapUp);
        await wrapUp;
        acd.Time.Advance(TimeSpan.FromSeconds(10));
        var ended = (await acd.Sink.WaitForCallAsync(CallEvent.PayloadOneofCase.Ended)).Ended;
        Assert.Multiple(() =>
        {
            Assert.That(ended.HangupBy, Is.EqualTo(HangupBy.Agent));
            Assert.That(ended.HoldMs, Is.EqualTo(42000));
            Assert.That(ended.TalkMs, Is.EqualTo(8000), "talk excludes hold");
            Assert.That(caller.State, Is.EqualTo(CallLegState.Ended));
        });
    }
}
