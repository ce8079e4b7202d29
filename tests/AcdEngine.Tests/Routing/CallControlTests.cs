using Grpc.Core;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Api;
using Hotline.AcdEngine.Outbound;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Tests.Routing;

/// <summary>
/// The desk's one door to a call (<see cref="ICallControl"/>) and the gRPC status each refusal becomes
/// (<see cref="CtiStatus"/>, cti.proto): NotFound, FailedPrecondition or InvalidArgument, never an OK reply.
/// </summary>
[TestFixture]
public sealed class CallControlTests
{
    [Test]
    public async Task An_inbound_call_refuses_what_its_stage_forbids_as_not_now_and_an_unknown_department_as_a_bad_argument()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (_, _, flow) = await h.ConnectedCallAsync();
        ICallControl call = flow;

        Assert.That(call.Hold("a1"), Is.EqualTo(ControlOutcome.Done));
        var again = call.Hold("a1");
        var stranger = call.Resume("a2");
        var department = call.ConsultDepartment("a1", "no-such-department", holdCaller: false);
        var transfer = await call.CompleteTransferAsync("a1", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That((again.Refusal, again.Error), Is.EqualTo((ControlRefusal.NotNow, "The call is already on hold.")));
            Assert.That((stranger.Refusal, stranger.Error), Is.EqualTo((ControlRefusal.NotNow, "The agent is not talking on this call.")));
            Assert.That((department.Refusal, department.Error), Is.EqualTo((ControlRefusal.BadArgument, "Unknown department 'no-such-department'.")));
            Assert.That((transfer.Refusal, transfer.Error), Is.EqualTo((ControlRefusal.NotNow, "No department is in this call yet.")));
        });
        Assert.That(call.Resume("a1").Ok, Is.True, "the refusals changed nothing: the call is still on hold");
    }

    [Test]
    public async Task A_command_for_a_call_that_has_ended_is_not_found_with_its_own_sentence_not_a_stage_refusal()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment());
        var (caller, _, flow) = await h.ConnectedCallAsync();
        ICallControl call = flow;
        var live = call.Resume("a1").OrEnded(call);
        var wasEnded = call.HasEnded;

        var finished = h.WaitForCallFinishedAsync();
        var wrapUp = h.WaitForAgentAsync("a1", AgentState.WrapUp);
        caller.RemoteHangup();
        await wrapUp;
        // The agent's wrap-up: the flow is still the router's (CTI finds it), the caller is gone. Before, Hold was done
        // here (hold music to nobody, a CallHeld event after the hang-up) and a consult rang the department.
        var hold = call.Hold("a1").OrEnded(call);
        var consult = call.ConsultDepartment("a1", "water", holdCaller: false).OrEnded(call);
        var silent = (await call.EndSilentCallAsync("a1", CancellationToken.None)).OrEnded(call);
        var monitor = ((ControlOutcome)(flow.Monitor("sup1", MonitorMode.Listen, out var monitorError), monitorError)).OrEnded(call);
        var dialed = h.Telephony.HasPendingDial;
        var inWrapUp = call.HasEnded;
        var held = h.Sink.CallEvents().Count(e => e.PayloadCase == CallEvent.PayloadOneofCase.Held);
        var ready = h.WaitForAgentAsync("a1", AgentState.Ready);
        h.Time.Advance(TimeSpan.FromSeconds(60));
        await ready;
        await finished;
        // The router no longer finds it; a desk that found it just before (CTI's look-up, then the command) gets these.
        var hangup = (await call.HangupByAgentAsync("a1", CancellationToken.None)).OrEnded(call);
        var survey = (await call.TransferToSurveyAsync("a1", CancellationToken.None)).OrEnded(call);
        var department = call.ConsultDepartment("a1", "no-such-department", holdCaller: false).OrEnded(call);
        Assert.Multiple(() =>
        {
            Assert.That((wasEnded, inWrapUp, call.HasEnded), Is.EqualTo((false, true, true)));
            Assert.That((live.Refusal, live.Error), Is.EqualTo((ControlRefusal.NotNow, "The call is not on hold.")), "a live call's stage refusal stays one");
            Assert.That(Assert.Throws<RpcException>(() => CtiStatus.Reply(call.CallId, live))!.StatusCode, Is.EqualTo(StatusCode.FailedPrecondition));
            Assert.That((held, dialed), Is.EqualTo((0, false)), "no hold after the caller hung up, no department or supervisor rung");
            foreach (var ended in new[] { hold, consult, silent, monitor, hangup, survey })
            {
                Assert.That((ended.Refusal, ended.Error), Is.EqualTo((ControlRefusal.NoSuchCall, ICallControl.CallEnded)));
                var status = Assert.Throws<RpcException>(() => CtiStatus.Reply(call.CallId, ended))!;
                Assert.That((status.StatusCode, status.Status.Detail), Is.EqualTo((StatusCode.NotFound, "The call has ended; nothing was done.")));
            }
            Assert.That(department.Refusal, Is.EqualTo(ControlRefusal.BadArgument), "a bad argument is judged before the call's state");
        });
    }

    [TestCase(ControlRefusal.NoSuchCall, StatusCode.NotFound)]
    [TestCase(ControlRefusal.NotNow, StatusCode.FailedPrecondition)]
    [TestCase(ControlRefusal.BadArgument, StatusCode.InvalidArgument)]
    public void A_refused_command_is_a_status_with_the_sentence_as_detail(ControlRefusal refusal, StatusCode code)
    {
        var outcome = refusal switch
        {
            ControlRefusal.NoSuchCall => ControlOutcome.NoSuchCall(),
            ControlRefusal.NotNow => ControlOutcome.NotNow("The call is not on hold."),
            _ => ControlOutcome.BadArgument("Unknown department 'x'."),
        };
        var ex = Assert.Throws<RpcException>(() => CtiStatus.Reply("c1", outcome));
        Assert.That((ex!.StatusCode, ex.Status.Detail), Is.EqualTo((code, outcome.Error)));
    }

    [Test]
    public void A_done_command_still_says_ok_for_clients_older_than_the_status_codes()
    {
        var reply = CtiStatus.Reply("c1", ControlOutcome.Done);
        Assert.That((reply.CallId, reply.Ok, reply.Error), Is.EqualTo(("c1", true, "")));
    }

    [TestCase(DialRefusal.UnknownAgent, StatusCode.NotFound)]
    [TestCase(DialRefusal.AgentNotReady, StatusCode.FailedPrecondition)]
    [TestCase(DialRefusal.NumberNotAllowed, StatusCode.InvalidArgument)]
    [TestCase(DialRefusal.BadRequest, StatusCode.InvalidArgument)]
    public void A_refused_dial_is_the_status_matching_post_api_dial(DialRefusal refusal, StatusCode code) =>
        Assert.That(CtiStatus.Refused(new DialOutcome(false, "", "why", refusal)).StatusCode, Is.EqualTo(code));
}
