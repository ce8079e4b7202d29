using Grpc.Core;
using Hotline.AcdEngine.Outbound;
using Hotline.AcdEngine.Routing;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Api;

/// <summary>
/// CTI refusals as gRPC status codes (cti.proto, <c>CallControlReply</c>): a refused command ends the RPC with a status
/// whose detail is the sentence for the desk, never with an OK reply. NotFound: no such call (or agent, for Dial);
/// FailedPrecondition: the call's or the agent's present state forbids it; InvalidArgument: the request itself is
/// wrong. PermissionDenied and Unauthenticated stay the authorisation interceptor's (<c>CtiAuthorization</c>), so that a
/// client can tell "the engine refused the command" from "the engine refused the caller".
/// </summary>
internal static class CtiStatus
{
    /// <summary>A done command. <c>ok</c> is still set for clients older than the status codes (cti.proto).</summary>
    public static CallControlReply Done(string callId) => new() { CallId = callId, Ok = true };

    public static RpcException Refused(ControlOutcome outcome) => new(new Status(outcome.Refusal switch
    {
        ControlRefusal.NoSuchCall => StatusCode.NotFound,
        ControlRefusal.BadArgument => StatusCode.InvalidArgument,
        _ => StatusCode.FailedPrecondition,
    }, outcome.Error));

    public static RpcException Refused(DialOutcome outcome) => new(new Status(outcome.Refusal switch
    {
        DialRefusal.UnknownAgent => StatusCode.NotFound,
        DialRefusal.AgentNotReady => StatusCode.FailedPrecondition,
        // The same as POST /api/dial's 400: a number the dial plan refuses is a bad request, not a refused caller.
        _ => StatusCode.InvalidArgument,
    }, outcome.Error));

    public static CallControlReply Reply(string callId, ControlOutcome outcome) => outcome.Ok ? Done(callId) : throw Refused(outcome);
}
