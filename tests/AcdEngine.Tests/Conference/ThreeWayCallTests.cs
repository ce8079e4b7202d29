using Hotline.AcdEngine.Tests.Fakes;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Calls;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Conference;

/// <summary>Three-way calls with a department (DOMAIN.md, issue 8) over fake telephony, in virtual time.</summary>
[TestFixture]
public sealed class ThreeWayCallTests
{
    [Test]
    public async Task Department_rings_while_caller_and_agent_talk_joins_all_three_then_agent_leaves_and_the_others_stay()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, agent, flow) = await h.ConnectedCallAsync();
        var finished = h.WaitForCallFinishedAsync();

        Assert.That(flow.ConsultDepartment("a1", "water", holdCaller: false, out var error), Is.True, error);
        var (d1, d2) = await h.DepartmentDialsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(new[] { d1.Target, d2.Target }, Is.EqualTo(new[] { "2001", "2002" }), "every contact rings at once");
            Assert.That(d1.Options.RingTimeout, Is.EqualTo(AcdHarness.DepartmentRingTimeout));
            Assert.That(d1.Options.Headers!["X-Hotline-Call"], Is.EqualTo(flow.CallId));
            Assert.That(caller.Hearing, Is.EqualTo("bridge"), "caller and agent keep talking while the department rings");
            Assert.That(h.Phones.HasConference, Is.False);
        });
        Assert.That(flow.ConsultDepartment("a1", "water", false, out var twice), Is.False, twice);

        h.Time.Advance(TimeSpan.FromSeconds(5));
        d2.Answer();
        var conference = await h.Phones.NextConferenceAsync();
        var joined = await h.Sink.WaitForCallAsync(Kind.DepartmentJoined);
        var started = h.Sink.CallEvents().Single(e => e.PayloadCase == Kind.ConsultStarted);
        Assert.Multiple(() =>
        {
            Assert.That(joined.DepartmentJoined.Contact, Is.EqualTo("2002"));
            Assert.That(joined.DepartmentJoined.Attempt, Is.EqualTo(1));
            Assert.That(d1.Cancelled, Is.True, "the other contact stops ringing");
            Assert.That(conference.Members, Is.EquivalentTo(new ICallLeg[] { caller, agent.FakeLeg, d2.FakeLeg }));
            Assert.That(conference.RoleOf(d2.FakeLeg), Is.EqualTo(FakeRole.Speaker));
            Assert.That(joined.OccurredAt.ToDateTimeOffset() - started.OccurredAt.ToDateTimeOffset(), Is.EqualTo(TimeSpan.FromSeconds(5)),
                "department joined within one ring timeout of the request");
            Assert.That(h.Notices.Select(n => (n.AgentId, n.Event.PayloadCase)), Is.EqualTo(new[] { ("a1", Kind.ConsultStarted), ("a1", Kind.DepartmentJoined) }));
            Assert.That(Parties(h).Last(), Is.EqualTo(new[] { "caller", "agent:a1", "department:water" }));
            Assert.That(flow.Hold("a1", out _), Is.False, "a conference is not put on hold");
        });

        h.Time.Advance(TimeSpan.FromSeconds(30));
        var wrapUp = h.WaitForAgentAsync("a1", AgentState.WrapUp);
        var (ok, transferError) = await flow.CompleteTransferAsync("a1", CancellationToken.None);
        Assert.That(ok, Is.True, transferError);
        await wrapUp;
        var transferred = (await h.Sink.WaitForCallAsync(Kind.TransferCompleted)).TransferCompleted;
        Assert.Multiple(() =>
        {
            Assert.That(transferred.FromAgentId, Is.EqualTo("a1"));
            Assert.That(transferred.To, Is.EqualTo("department:water"));
            Assert.That(transferred.Kind, Is.EqualTo("warm"));
            Assert.That(agent.FakeLeg.State, Is.EqualTo(CallLegState.Ended));
            Assert.That(caller.State, Is.EqualTo(CallLegState.Connected), "the caller stays with the department");
            Assert.That(d2.FakeLeg.State, Is.EqualTo(CallLegState.Connected));
            Assert.That(conference.Members, Is.EquivalentTo(new ICallLeg[] { caller, d2.FakeLeg }));
            Assert.That(h.Router.FindByAgent("a1"), Is.Null, "the agent is free for the next call");
        });

        h.Time.Advance(TimeSpan.FromSeconds(60));
        d2.FakeLeg.RemoteHangup();
        await caller.EndedTask.WaitAsync(TimeSpan.FromSeconds(10));
        await finished;
        var ended = h.Sink.CallEvents().Last();
        Assert.Multiple(() =>
        {
            Assert.That(ended.PayloadCase, Is.EqualTo(Kind.Ended));
            Assert.That(ended.Ended.Reason, Is.EqualTo("transferred"));
            Assert.That(ended.Ended.ConferenceMs, Is.EqualTo(90_000), "department in the call from join to its hang-up");
            Assert.That(ended.Ended.HangupBy, Is.EqualTo(HangupBy.System));
            Assert.That(conference.Disposed, Is.True);
        });
    }

    [Test]
    public async Task Busy_then_unanswered_twice_fails_the_transfer_the_agent_hears_a_tone_and_talks_with_the_caller_again()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, agent, flow) = await h.ConnectedCallAsync();
        Assert.That(flow.ConsultDepartment("a1", "water", holdCaller: true, out var error), Is.True, error);
        Assert.That(caller.Hearing, Is.EqualTo("moh"), "hold_caller: the caller hears music while the department rings");

        var (a1, a2) = await h.DepartmentDialsAsync();
        a1.Reject(486);
        h.Time.Advance(AcdHarness.DepartmentRingTimeout); // 2002 never answers.
        var (b1, b2) = await h.DepartmentDialsAsync();
        b1.Reject(404);
        b2.Reject(486);

        var failed = await h.Sink.WaitForCallAsync(Kind.TransferFailed);
        Assert.Multiple(() =>
        {
            Assert.That(a2.Answered.Result.SipStatus, Is.EqualTo(408));
            Assert.That(failed.TransferFailed.DepartmentId, Is.EqualTo("water"));
            Assert.That(failed.TransferFailed.Attempts, Is.EqualTo(2));
            Assert.That(failed.TransferFailed.Reason, Is.EqualTo("busy"), "a busy contact says more than an unreachable one");
            Assert.That(h.Notices.Select(n => n.Event.PayloadCase), Is.EqualTo(new[] { Kind.ConsultStarted, Kind.ConsultStarted, Kind.TransferFailed }));
            Assert.That(h.Sink.CallEvents().Where(e => e.PayloadCase == Kind.ConsultStarted).Select(e => e.ConsultStarted.Attempt), Is.EqualTo(new uint[] { 1, 2 }));
        });
        Assert.That((await agent.FakeLeg.NextPlayAsync()).Name, Is.EqualTo("audio"), "the agent hears the failure tone");
        h.Time.Advance(TimeSpan.FromMilliseconds(1200));
        var bridge = await h.Telephony.NextBridgeAsync();
        Assert.Multiple(() =>
        {
            Assert.That(new[] { bridge.A, bridge.B }, Is.EquivalentTo(new ICallLeg[] { caller, agent.FakeLeg }), "back to caller and agent");
            Assert.That(caller.Hearing, Is.EqualTo("bridge"), "the caller is not kept waiting on music");
            Assert.That(h.Phones.HasConference, Is.False);
            Assert.That(h.Telephony.HasPendingDial, Is.False, "no third attempt");
        });
        var resumed = await h.Sink.WaitForCallAsync(Kind.Resumed);
        Assert.That(resumed.Resumed.HeldMs, Is.EqualTo(21_200), "the consult's hold ends with it");
    }

    [Test]
    public async Task Hold_caller_during_consult_ends_when_the_department_answers()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, _, flow) = await h.ConnectedCallAsync();
        Assert.That(flow.ConsultDepartment("a1", "water", holdCaller: true, out var error), Is.True, error);
        var (d1, _) = await h.DepartmentDialsAsync();
        h.Time.Advance(TimeSpan.FromSeconds(8));
        d1.Answer();
        var conference = await h.Phones.NextConferenceAsync();
        var resumed = await h.Sink.WaitForCallAsync(Kind.Resumed);
        Assert.Multiple(() =>
        {
            Assert.That(resumed.Resumed.HeldMs, Is.EqualTo(8000));
            Assert.That(conference.Contains(caller), Is.True);
            Assert.That(caller.Hearing, Is.EqualTo("bridge"), "off the music, into the mix");
        });
    }

    [Test]
    public async Task Caller_leaving_keeps_agent_and_department_connected_until_one_of_them_hangs_up()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, agent, flow) = await h.ConnectedCallAsync();
        var finished = h.WaitForCallFinishedAsync();
        Assert.That(flow.ConsultDepartment("a1", "water", false, out _), Is.True);
        var (d1, _) = await h.DepartmentDialsAsync();
        d1.Answer();
        var conference = await h.Phones.NextConferenceAsync();
        await h.Sink.WaitForCallAsync(Kind.DepartmentJoined);

        caller.RemoteHangup();
        await WaitUntilAsync(() => Parties(h).LastOrDefault() is ["agent:a1", "department:water"]);
        Assert.Multiple(() =>
        {
            Assert.That(agent.FakeLeg.State, Is.EqualTo(CallLegState.Connected));
            Assert.That(d1.FakeLeg.State, Is.EqualTo(CallLegState.Connected));
            Assert.That(conference.Members, Is.EquivalentTo(new ICallLeg[] { agent.FakeLeg, d1.FakeLeg }));
        });
        h.Time.Advance(TimeSpan.FromSeconds(12));
        agent.FakeLeg.RemoteHangup();
        await d1.FakeLeg.EndedTask.WaitAsync(TimeSpan.FromSeconds(10));
        await h.WaitForAgentAsync("a1", AgentState.WrapUp);
        h.Time.Advance(TimeSpan.FromSeconds(10)); // Wrap-up.
        await finished;
        var ended = h.Sink.CallEvents().Last().Ended;
        Assert.That(ended.Reason, Is.EqualTo("normal"));
        Assert.That(ended.ConferenceMs, Is.EqualTo(12_000));
    }

    [Test]
    public async Task Department_leaving_puts_caller_and_agent_back_on_a_plain_bridge_where_hold_works()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, agent, flow) = await h.ConnectedCallAsync();
        Assert.That(flow.ConsultDepartment("a1", "water", false, out _), Is.True);
        var (d1, _) = await h.DepartmentDialsAsync();
        d1.Answer();
        var conference = await h.Phones.NextConferenceAsync();
        await h.Sink.WaitForCallAsync(Kind.DepartmentJoined);
        h.Time.Advance(TimeSpan.FromSeconds(7));
        d1.FakeLeg.RemoteHangup();
        var bridge = await h.Telephony.NextBridgeAsync();
        Assert.Multiple(() =>
        {
            Assert.That(new[] { bridge.A, bridge.B }, Is.EquivalentTo(new ICallLeg[] { caller, agent.FakeLeg }));
            Assert.That(conference.Disposed, Is.True);
            Assert.That(caller.State, Is.EqualTo(CallLegState.Connected));
            Assert.That(flow.Hold("a1", out var error), Is.True, error);
            Assert.That(caller.Hearing, Is.EqualTo("moh"));
        });
    }

    [Test]
    public async Task Feature_code_star8_code_hash_from_the_agent_phone_consults_an_unknown_code_plays_the_tone()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (_, agent, _) = await h.ConnectedCallAsync();
        foreach (var key in "*89#") agent.FakeLeg.Press(key);
        Assert.That((await agent.FakeLeg.NextPlayAsync()).Name, Is.EqualTo("audio"), "unknown department code: failure tone");
        Assert.That(h.Telephony.HasPendingDial, Is.False);
        h.Time.Advance(TimeSpan.FromMilliseconds(1200));
        await h.Telephony.NextBridgeAsync();

        foreach (var key in "5*81#") agent.FakeLeg.Press(key); // A stray digit first does not matter.
        var (d1, d2) = await h.DepartmentDialsAsync();
        Assert.That(new[] { d1.Target, d2.Target }, Is.EqualTo(new[] { "2001", "2002" }));
        var started = await h.Sink.WaitForCallAsync(Kind.ConsultStarted);
        Assert.That(started.ConsultStarted.DepartmentId, Is.EqualTo("water"));
    }

    [Test]
    public async Task An_unknown_code_keyed_during_a_three_way_plays_the_tone_beside_the_mix_and_the_agent_stays_a_speaker()
    {
        // docs/webrtc.md: a tone played in place of the agent's mixer feed took the agent out of the mix for 1.2 s.
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, agent, flow) = await h.ConnectedCallAsync();
        agent.FakeLeg.PlaysBeside = true;
        Assert.That(flow.ConsultDepartment("a1", "water", holdCaller: false, out var error), Is.True, error);
        var (_, d2) = await h.DepartmentDialsAsync();
        d2.Answer();
        var conference = await h.Phones.NextConferenceAsync();
        await h.Sink.WaitForCallAsync(Kind.DepartmentJoined);

        foreach (var key in "*89#") agent.FakeLeg.Press(key);
        Assert.That((await agent.FakeLeg.NextBesidePlayAsync()).Name, Is.EqualTo("audio"), "unknown department code: failure tone");
        Assert.Multiple(() =>
        {
            Assert.That(agent.FakeLeg.Hearing, Is.EqualTo("bridge"), "the agent still hears the mix under the tone");
            Assert.That(conference.Contains(agent.FakeLeg), Is.True);
            Assert.That(conference.RoleOf(agent.FakeLeg), Is.EqualTo(FakeRole.Speaker), "and is still heard");
            Assert.That(agent.FakeLeg.PlaysSoFar(), Is.Empty, "nothing played in place of the mix");
        });
        h.Time.Advance(TimeSpan.FromMilliseconds(1200));
        Assert.Multiple(() =>
        {
            Assert.That(conference.Members, Is.EquivalentTo(new ICallLeg[] { caller, agent.FakeLeg, d2.FakeLeg }));
            Assert.That(agent.FakeLeg.Hearing, Is.EqualTo("bridge"));
            Assert.That(flow.Stage, Is.EqualTo(CallStage.ThreeWay));
        });
    }

    [Test]
    public async Task Closed_department_fails_at_once_without_ringing()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment(hours: "18:00-08:00")); // The harness clock says 09:00.
        var (_, _, flow) = await h.ConnectedCallAsync();
        Assert.That(flow.ConsultDepartment("a1", "water", false, out var error), Is.True, error);
        var failed = await h.Sink.WaitForCallAsync(Kind.TransferFailed);
        Assert.That(failed.TransferFailed.Reason, Is.EqualTo("closed"));
        Assert.That(failed.TransferFailed.Attempts, Is.Zero);
        Assert.That(h.Telephony.HasPendingDial, Is.False);
    }

    [Test]
    public async Task Bad_requests_are_refused_and_change_nothing()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, _, flow) = await h.ConnectedCallAsync();
        Assert.Multiple(() =>
        {
            Assert.That(flow.ConsultDepartment("a1", "gas", false, out var unknown), Is.False);
            Assert.That(unknown, Does.Contain("gas"));
            Assert.That(flow.ConsultDepartment("a9", "water", false, out _), Is.False, "not this agent's call");
            Assert.That(flow.CompleteTransferAsync("a1", CancellationToken.None).Result.Ok, Is.False, "no department yet");
            Assert.That(h.Telephony.HasPendingDial, Is.False);
            Assert.That(caller.Hearing, Is.EqualTo("bridge"));
            Assert.That(h.Sink.CallEvents().Any(e => e.PayloadCase is Kind.ConsultStarted or Kind.TransferFailed), Is.False);
        });
    }

    [Test]
    public async Task Softphone_hold_plays_music_announces_past_30_s_and_resume_bridges_again()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, agent, _) = await h.ConnectedCallAsync();
        var phone = h.Phones.PhoneOf(agent);
        phone.PhoneHold(true); // re-INVITE a=sendonly
        Assert.That(caller.Hearing, Is.EqualTo("moh"));
        await h.Sink.WaitForCallAsync(Kind.Held);
        h.Time.Advance(TimeSpan.FromSeconds(30));
        await caller.PlayedAsync("still-holding");
        h.Time.Advance(TimeSpan.FromSeconds(5));
        phone.PhoneHold(false); // re-INVITE a=sendrecv
        await h.Telephony.NextBridgeAsync();
        var resumed = await h.Sink.WaitForCallAsync(Kind.Resumed);
        Assert.That(resumed.Resumed.HeldMs, Is.EqualTo(35_000));
        Assert.That(caller.Hearing, Is.EqualTo("bridge"));
    }

    internal static List<string[]> Parties(AcdHarness h) =>
        h.Sink.CallEvents().Where(e => e.PayloadCase == Kind.Conference).Select(e => e.Conference.Parties.ToArray()).ToList();

    /// <summary>Polls a condition the flow reaches on another thread (no event to await for it); fails after 10 s.</summary>
    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }
}
