using Grpc.Core;
using Hotline.Contracts.V1;
using Hotline.TicketApi.Engine;
using Hotline.TicketApi.Security;

namespace Hotline.TicketApi.AfterCall;

/// <summary>The engine's answer to a dial request.</summary>
public sealed record PlacedCall(bool Ok, string CallId, string Error, bool EngineUnavailable = false);

/// <summary>Asks the engine to ring an agent and then a number, for a work order (issue 10: one action returns the call).</summary>
public interface ICallPlacer
{
    Task<PlacedCall> DialAsync(string agentId, string number, string workOrderReference, CancellationToken ct);
}

/// <summary>
/// <see cref="ICallPlacer"/> over the CTI contract's <c>Dial</c> (cti.proto), with TicketApi's service key and, as
/// <c>x-hotline-act-as</c>, the signed-in user of the request: the engine decides with that user's role.
/// </summary>
public sealed class CtiCallPlacer(Cti.CtiClient client, IHttpContextAccessor http) : ICallPlacer
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    public async Task<PlacedCall> DialAsync(string agentId, string number, string workOrderReference, CancellationToken ct)
    {
        var user = http.HttpContext?.User;
        if (user is null || EngineCredentials.ActAs(user, agentId) is not { } actAs)
            return new PlacedCall(false, "", "Only the hotline's agents, supervisors and admins place calls.");
        try
        {
            // A network timeout, measured by gRPC against the wall clock: deliberately not the (possibly manual) TimeProvider.
            var reply = await client.DialAsync(new DialRequest { AgentId = agentId, Number = number, WorkOrderId = workOrderReference },
                new Metadata { { EngineCredentials.ActAsHeader, actAs } }, DateTime.UtcNow + Deadline, ct);
            return new PlacedCall(true, reply.EnsureDone().CallId, "");
        }
        catch (RpcException ex) when (ex.IsCommandRefusal())
        {
            // No such agent, not ready, a number the dial plan refuses: the engine's own sentence (cti.proto).
            return new PlacedCall(false, "", ex.Status.Detail);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated)
        {
            return new PlacedCall(false, "", "The engine refused: " + ex.Status.Detail);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            return new PlacedCall(false, "", "The call engine (AcdEngine:Url) cannot be reached: " + ex.Status.Detail, EngineUnavailable: true);
        }
    }
}

/// <summary>The engine's address is not configured (<c>AcdEngine:Url</c> empty): calls cannot be placed, and the caller is told so.</summary>
public sealed class UnconfiguredCallPlacer : ICallPlacer
{
    public Task<PlacedCall> DialAsync(string agentId, string number, string workOrderReference, CancellationToken ct) =>
        Task.FromResult(new PlacedCall(false, "", "AcdEngine:Url is not configured, so TicketApi cannot ask the engine to place calls.", EngineUnavailable: true));
}
