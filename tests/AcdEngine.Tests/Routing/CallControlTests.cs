using Grpc.Core;
using Hotline.AcdEngine.Api;
using Hotline.AcdEngine.Outbound;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Tests.Fakes;

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
