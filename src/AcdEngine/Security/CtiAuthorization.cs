using System.Security.Claims;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Security;

/// <summary>
/// Who may call which CTI method, for which agent (COMMON identity model): an Agent only for its own agent id;
/// Supervisor and Admin for any agent; Monitor for Supervisor and Admin; WatchStats for Supervisor, Admin and Service;
/// a Service key not acting for anyone only reads. Authentication is ASP.NET's (<see cref="BearerAuthenticationHandler"/>);
/// this decides per request, because the agent a request is about is in its message.
/// </summary>
public static class CtiPermissions
{
    private static readonly HashSet<string> ServiceReads = new(StringComparer.Ordinal) { "GetAgentState", "WatchAgent", "WatchStats" };

    /// <summary>Null when allowed; otherwise the refusal (PermissionDenied) to send.</summary>
    public static string? Refusal(ClaimsPrincipal user, string method, object request)
    {
        var role = user.Role();
        if (role is null) return "This key may not use the CTI API.";
        var name = method[(method.LastIndexOf('/') + 1)..];
        if (role == ApiRoles.Service)
            return ServiceReads.Contains(name) ? null : $"A Service key calls {name} only for a user (x-hotline-act-as).";
        if (role == ApiRoles.Admin) return null;
        switch (request)
        {
            case MonitorRequest:
                return role == ApiRoles.Supervisor ? null : "Only supervisors monitor calls.";
            case WatchStatsRequest:
                return role == ApiRoles.Supervisor ? null : "Only supervisors watch every agent's figures.";
        }
        if (AgentOf(request) is not { } agentId) return $"{name} is for administrators.";
        if (role == ApiRoles.Supervisor) return null;
        return role == ApiRoles.Agent && agentId == user.AgentIdOf() ? null : "An agent controls only their own state and calls.";
    }

    /// <summary>The agent a request is about; null for a request that names none (admin-only unless listed above).</summary>
    private static string? AgentOf(object request) => request switch
    {
        SignInRequest r => r.AgentId,
        AgentRequest r => r.AgentId,
        NotReadyRequest r => r.AgentId,
        CallControlRequest r => r.AgentId,
        ConsultRequest r => r.AgentId,
        DialRequest r => r.AgentId,
        _ => null,
    };
}

/// <summary>Applies <see cref="CtiPermissions"/> to every CTI call, before the service sees it; refusals are logged.</summary>
public sealed partial class CtiAuthorization(ILogger<CtiAuthorization> logger) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(request, context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(request, context);
        return continuation(request, responseStream, context);
    }

    private void Check(object request, ServerCallContext context)
    {
        var user = context.GetHttpContext().User;
        if (user.Identity?.IsAuthenticated != true)
            throw new RpcException(new Status(StatusCode.Unauthenticated, "Authorization: Bearer <key> is required."));
        if (CtiPermissions.Refusal(user, context.Method, request) is not { } refusal) return;
        LogRefused(logger, user.FindFirstValue(ApiClaims.KeyName), user.Identity.Name, context.Method, context.Peer);
        throw new RpcException(new Status(StatusCode.PermissionDenied, refusal));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "CTI {Method} refused for key {KeyName} (as {User}) from {Peer}")]
    private static partial void LogRefused(ILogger logger, string? keyName, string? user, string method, string peer);
}
