using Grpc.Core;
using Hotline.Contracts.V1;
using Hotline.TicketApi.Engine;

namespace Hotline.TicketApi.Tests.Engine;

/// <summary>cti.proto's refusals: statuses from a current engine, <c>ok = false</c> from one older than them (upgrade).</summary>
[TestFixture]
public sealed class CtiRefusalsTests
{
    [Test]
    public void A_done_reply_passes()
    {
        var reply = new CallControlReply { CallId = "c1", Ok = true };
        Assert.That(reply.EnsureDone(), Is.SameAs(reply));
    }

    [Test]
    public void An_older_engines_refusal_in_the_reply_becomes_the_failed_precondition_a_current_engine_sends()
    {
        var ex = Assert.Throws<RpcException>(() => new CallControlReply { Ok = false, Error = "The call is already on hold." }.EnsureDone());
        Assert.Multiple(() =>
        {
            Assert.That((ex!.StatusCode, ex.Status.Detail), Is.EqualTo((StatusCode.FailedPrecondition, "The call is already on hold.")));
            Assert.That(ex.IsCommandRefusal(), Is.True);
        });
    }

    [TestCase(StatusCode.NotFound, true)]
    [TestCase(StatusCode.FailedPrecondition, true)]
    [TestCase(StatusCode.InvalidArgument, true)]
    [TestCase(StatusCode.PermissionDenied, false)]
    [TestCase(StatusCode.Unauthenticated, false)]
    [TestCase(StatusCode.Unavailable, false)]
    [TestCase(StatusCode.DeadlineExceeded, false)]
    public void Only_the_commands_own_refusals_count_as_the_engine_refusing_the_command(StatusCode code, bool command) =>
        Assert.That(new RpcException(new Status(code, "why")).IsCommandRefusal(), Is.EqualTo(command));
}
