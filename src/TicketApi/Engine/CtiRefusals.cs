using Grpc.Core;
using Hotline.Contracts.V1;

namespace Hotline.TicketApi.Engine;

/// <summary>
/// How the engine's CTI refuses a command (cti.proto, <c>CallControlReply</c>): with a gRPC status whose detail is the
/// sentence for the desk — NotFound, FailedPrecondition or InvalidArgument. PermissionDenied and Unauthenticated are
/// the engine refusing TicketApi's credential or the acting user, anything else the engine being away.
/// </summary>
public static class CtiRefusals
{
    /// <summary>The engine refused the command itself (no such call, not now, bad request): nothing changed.</summary>
    public static bool IsCommandRefusal(this RpcException ex) =>
        ex.StatusCode is StatusCode.NotFound or StatusCode.FailedPrecondition or StatusCode.InvalidArgument;

    /// <summary>
    /// The reply of a done command. An engine older than the status codes refused with an OK reply carrying
    /// <c>ok = false</c> and <c>error</c>; during an upgrade (docs/operations.md) that becomes the FailedPrecondition a
    /// newer engine sends, so both kinds of engine show the same refusal.
    /// </summary>
    public static CallControlReply EnsureDone(this CallControlReply reply) =>
        reply.Ok ? reply : throw new RpcException(new Status(StatusCode.FailedPrecondition, reply.Error));
}
