using Hotline.AcdEngine.Tests.Fakes;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Outbound;
using Hotline.Cti.Calls;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;
using Hotline.AcdEngine.Dialing;

namespace Hotline.AcdEngine.Tests.Conference;

/// <summary>Blind and attended transfers the agent's phone asks for with SIP REFER (issue 8), over fakes in virtual time.</summary>
[TestFixture]
public sealed class TransferTests
{
    [Test]
    public async Task Blind_transfer_to_a_department_code_rings_it_from_the_callers_side_bridges_on_answer_and_releases_the_agent()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, agent, flow) = await h.ConnectedCallAsync();
        var finished = h.WaitForCallFinishedAsync();
        var phone = h.Phones.PhoneOf(agent);

        var wrapUp = h.WaitForAgentAsync("a1", AgentState.WrapUp);
        var refer = phone.Refer("1");
        Assert.That(refer.Accepted, Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(phone.Refer("1").RefuseStatus, Is.EqualTo(491), "one transfer at a time");
            Assert.That(flow.ConsultDepartment("a1", "water", holdCaller: false, out _), Is.False, "no consult during a transfer");
        });
        var (d1, d2) = await h.DepartmentDialsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(new[] { d1.Target, d2.Target }, Is.EqualTo(new[] { "2001", "2002" }));
            Assert.That(d1.Options.Headers!["X-Hotline-Call"], Is.EqualTo(flow.CallId));
            Assert.That(caller.Hearing, Is.EqualTo("moh"), "the caller waits with hold music");
            Assert.That(agent.FakeLeg.State, Is.EqualTo(CallLegState.Connected), "the agent stays until the target answers");
        });

        h.Time.Advance(TimeSpan.FromSeconds(4));
        d1.Answer();
        Assert.That(await refer.Final, Is.EqualTo(200));
        var bridge = await h.Telephony.NextBridgeAsync();
        await wrapUp;
        var transferred = (await h.Sink.WaitForCallAsync(Kind.TransferCompleted)).TransferCompleted;
        Assert.Multiple(() =>
        {
            Assert.That(new[] { bridge.A, bridge.B }, Is.EquivalentTo(new ICallLeg[] { caller, d1.FakeLeg }), "caller bridged to the department");
            Assert.That(d2.Cancelled, Is.True);
            Assert.That(refer.Reports, Is.EqualTo(new[] { 200 }));
            Assert.That(agent.FakeLeg.State, Is.EqualTo(CallLegState.Ended), "BYE to the agent after the success NOTIFY");
            Assert.That((transferred.FromAgentId, transferred.To, transferred.Kind), Is.EqualTo(("a1", "department:water", "blind")));
            Assert.That(caller.State, Is.EqualTo(CallLegState.Connected));
            Assert.That(h.Router.FindByAgent("a1"), Is.Null, "the agent is free for the next call");
        });

        h.Time.Advance(TimeSpan.FromSeconds(60));
        caller.RemoteHangup();
        await d1.FakeLeg.EndedTask.WaitAsync(TimeSpan.FromSeconds(10));
        await finished;
        var ended = h.Sink.CallEvents().Last().Ended;
        Assert.Multiple(() =>
        {
            Assert.That(ended.Reason, Is.EqualTo("transferred"));
            Assert.That(ended.HangupBy, Is.EqualTo(Contracts.V1.HangupBy.Caller));
        });
    }

    [Test]
    public async Task Blind_transfer_nobody_answers_notifies_the_failure_and_puts_the_caller_back_with_the_agent()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, agent, _) = await h.ConnectedCallAsync();
        var refer = h.Phones.PhoneOf(agent).Refer("water");
        var (d1, d2) = await h.DepartmentDialsAsync();
        d1.Reject(486);
        d2.Reject(404);

        Assert.That(await refer.Final, Is.EqualTo(486), "the most telling failure goes to the phone");
        var failed = (await h.Sink.WaitForCallAsync(Kind.TransferFailed)).TransferFailed;
        var bridge = await h.Telephony.NextBridgeAsync();
        Assert.Multiple(() =>
        {
            Assert.That((failed.DepartmentId, failed.Reason, failed.Attempts), Is.EqualTo(("water", "busy", 1u)));
            Assert.That(h.Notices.Select(n => (n.AgentId, n.Event.PayloadCase)), Does.Contain(("a1", Kind.TransferFailed)));
            Assert.That(new[] { bridge.A, bridge.B }, Is.EquivalentTo(new ICallLeg[] { caller, agent.FakeLeg }), "back with the agent");
            Assert.That(caller.Hearing, Is.EqualTo("bridge"));
            Assert.That(agent.FakeLeg.State, Is.EqualTo(CallLegState.Connected));
            Assert.That(h.Sink.CallEvents().Any(e => e.PayloadCase == Kind.TransferCompleted), Is.False);
        });

        // The agent can try again.
        var again = h.Phones.PhoneOf(agent).Refer("1");
        Assert.That(again.Accepted, Is.True);
    }

    [Test]
    public async Task Blind_transfer_to_another_agent_reserves_and_connects_that_agent()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, agent, _) = await h.ConnectedCallAsync();
        h.Roster.SignIn("a2", ready: true);
        var refer = h.Phones.PhoneOf(agent).Refer("1002");
        Assert.That(h.Roster.Get("a2").State, Is.EqualTo(AgentState.Ringing), "reserved while it rings");
        var dial = await h.Telephony.NextDialAsync();
        Assert.That(dial.Target, Is.EqualTo("1002"));
        dial.Answer();
        Assert.That(await refer.Final, Is.EqualTo(200));
        var transferred = (await h.Sink.WaitForCallAsync(Kind.TransferCompleted)).TransferCompleted;
        Assert.Multiple(() =>
        {
            Assert.That(transferred.To, Is.EqualTo("agent:a2"));
            Assert.That(h.Roster.Get("a2").State, Is.EqualTo(AgentState.Talking));
        });
        var a2WrapUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Roster.Changed += t => { if (t.AgentId == "a2" && t.To == AgentState.WrapUp) a2WrapUp.TrySetResult(); };
        caller.RemoteHangup();
        await a2WrapUp.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task Refused_transfers_change_nothing()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment(outbound: new OutboundOptions { Gateway = "sip:gw.test", Allow = [@"^1[3-9]\d{9}$"] }));
        var (caller, agent, _) = await h.ConnectedCallAsync();
        var phone = h.Phones.PhoneOf(agent);
        Assert.Multiple(() =>
        {
            Assert.That(phone.Refer("nobody").RefuseStatus, Is.EqualTo(404), "unknown target");
            Assert.That(phone.Refer("1001").RefuseStatus, Is.EqualTo(403), "to oneself");
            Assert.That(phone.Refer("1002").RefuseStatus, Is.EqualTo(486), "the other agent is not ready");
            Assert.That(phone.Refer("110").RefuseStatus, Is.EqualTo(403), "the dial plan does not allow it");
            Assert.That(phone.Refer("").RefuseStatus, Is.EqualTo(404));
            Assert.That(h.Telephony.HasPendingDial, Is.False);
            Assert.That(caller.Hearing, Is.EqualTo("bridge"));
            Assert.That(agent.FakeLeg.State, Is.EqualTo(CallLegState.Connected));
        });
    }

    [Test]
    public async Task Blind_transfer_to_an_allowed_number_dials_the_gateway()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment(outbound: new OutboundOptions { Gateway = "sip:gw.test:5080", Allow = [@"^1[3-9]\d{9}$"] }));
        var (_, agent, _) = await h.ConnectedCallAsync();
        var refer = h.Phones.PhoneOf(agent).Refer("13912345678");
        Assert.That(refer.Accepted, Is.True);
        var dial = await h.Telephony.NextDialAsync();
        Assert.That(dial.Target, Is.EqualTo("sip:13912345678@gw.test:5080"));
        dial.Answer();
        Assert.That(await refer.Final, Is.EqualTo(200));
        Assert.That((await h.Sink.WaitForCallAsync(Kind.TransferCompleted)).TransferCompleted.To, Is.EqualTo("sip:13912345678@gw.test:5080"));
    }

    [Test]
    public async Task Agent_phone_hanging_up_after_the_refer_leaves_the_caller_waiting_for_the_target_and_a_failure_ends_the_call()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, agent, _) = await h.ConnectedCallAsync();
        var finished = h.WaitForCallFinishedAsync();
        var refer = h.Phones.PhoneOf(agent).Refer("1");
        var (d1, d2) = await h.DepartmentDialsAsync();
        agent.FakeLeg.RemoteHangup();
        Assert.That(caller.State, Is.EqualTo(CallLegState.Connected), "the caller still waits for the department");
        h.Time.Advance(AcdHarness.DepartmentRingTimeout);
        Assert.That(await refer.Final, Is.EqualTo(408));
        await caller.EndedTask.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(h.Roster.Get("a1").State, Is.EqualTo(AgentState.WrapUp));
        h.Time.Advance(TimeSpan.FromSeconds(10)); // The agent's wrap-up.
        await finished;
        Assert.Multiple(() =>
        {
            Assert.That(h.Sink.CallEvents().Last().Ended.Reason, Is.EqualTo("transfer-failed"));
            Assert.That(h.Sink.CallEvents().Any(e => e.PayloadCase == Kind.TransferFailed), Is.True, "the matter goes to dispatch");
            Assert.That(d1.Cancelled && d2.Cancelled, Is.False, "the ring timeout ended them, not a cancel");
        });
    }

    [Test]
    public async Task Attended_transfer_with_replaces_naming_the_consult_leg_drops_the_agent_and_keeps_caller_and_department()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, agent, flow) = await h.ConnectedCallAsync();
        Assert.That(flow.ConsultDepartment("a1", "water", holdCaller: true, out var error), Is.True, error);
        var (d1, d2) = await h.DepartmentDialsAsync();
        var consult = new TransferReplaces("dept-call@hotline", "dept-tag", "engine-tag");
        h.Phones.PhoneOf(d1).Dialog = consult;
        d1.Answer();
        var conference = await h.Phones.NextConferenceAsync();
        var joined = await h.Sink.WaitForCallAsync(Kind.DepartmentJoined);
        Assert.That(joined.DepartmentJoined.Replaces, Is.EqualTo("dept-call@hotline;to-tag=dept-tag;from-tag=engine-tag"),
            "what the agent's phone puts in the Refer-To");

        var phone = h.Phones.PhoneOf(agent);
        var wrong = phone.Refer("1", new TransferReplaces("other@hotline", "dept-tag", "engine-tag"));
        Assert.That(await wrong.Final, Is.EqualTo(481), "Replaces names no dialog of this call");
        Assert.That(agent.FakeLeg.State, Is.EqualTo(CallLegState.Connected));

        var wrapUp = h.WaitForAgentAsync("a1", AgentState.WrapUp);
        var refer = phone.Refer("1", consult);
        Assert.That(await refer.Final, Is.EqualTo(200));
        await wrapUp;
        var transferred = (await h.Sink.WaitForCallAsync(Kind.TransferCompleted)).TransferCompleted;
        Assert.Multiple(() =>
        {
            Assert.That((transferred.To, transferred.Kind), Is.EqualTo(("department:water", "attended")));
            Assert.That(agent.FakeLeg.State, Is.EqualTo(CallLegState.Ended));
            Assert.That(conference.Members, Is.EquivalentTo(new ICallLeg[] { caller, d1.FakeLeg }));
            Assert.That(d2.Cancelled, Is.True);
        });
    }

    [Test]
    public async Task Blind_refer_while_the_department_is_in_the_call_completes_the_transfer_to_it()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, agent, flow) = await h.ConnectedCallAsync();
        Assert.That(flow.ConsultDepartment("a1", "water", holdCaller: false, out _), Is.True);
        var (d1, _) = await h.DepartmentDialsAsync();
        d1.Answer();
        await h.Sink.WaitForCallAsync(Kind.DepartmentJoined);
        var phone = h.Phones.PhoneOf(agent);
        h.Roster.SignIn("a2", ready: true);
        Assert.That(phone.Refer("1002").RefuseStatus, Is.EqualTo(403), "not elsewhere while the department is in the call");
        var refer = phone.Refer("1");
        Assert.That(await refer.Final, Is.EqualTo(200));
        Assert.That((await h.Sink.WaitForCallAsync(Kind.TransferCompleted)).TransferCompleted.Kind, Is.EqualTo("blind"));
        Assert.That(caller.State, Is.EqualTo(CallLegState.Connected));
    }
}
