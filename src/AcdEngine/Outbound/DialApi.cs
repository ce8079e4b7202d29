using System.Security.Claims;
using Hotline.AcdEngine.Security;

namespace Hotline.AcdEngine.Outbound;

/// <summary><c>POST /api/dial</c>: the REST mirror of CTI Dial (click-to-call, callbacks from TicketApi).</summary>
public static class DialApi
{
    public sealed record DialBody(string? AgentId, string? Number, string? WorkOrderId);

    public static IEndpointRouteBuilder MapDialApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/dial", Dial).RequireAuthorization(ApiPolicies.Dial);
        return routes;
    }

    /// <summary>202 with the call id once the agent is being rung; 400/404/409 problem with the reason otherwise.</summary>
    internal static IResult Dial(DialBody? body, OutboundDialer dialer, ClaimsPrincipal user)
    {
        if (body is null) return TypedResults.Problem("A JSON body {agentId, number, workOrderId?} is required.", statusCode: 400);
        // The same rule as CTI Dial (CtiPermissions): an agent places calls only for itself.
        if (user.Role() == ApiRoles.Agent && body.AgentId != user.AgentIdOf())
            return TypedResults.Problem("An agent places calls only for itself.", statusCode: 403, title: "The call was not placed.");
        var outcome = dialer.Dial(body.AgentId, body.Number, body.WorkOrderId);
        if (outcome.Ok) return TypedResults.Accepted($"/api/dial/{outcome.CallId}", new { callId = outcome.CallId });
        var status = outcome.Refusal switch
        {
            DialRefusal.UnknownAgent => 404,
            DialRefusal.AgentNotReady => 409,
            _ => 400,
        };
        return TypedResults.Problem(outcome.Error, statusCode: status, title: "The call was not placed.");
    }
}
