using System.Security.Claims;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Hotline.TicketApi.Auth;

namespace Hotline.TicketApi.Security;

/// <summary>
/// TicketApi toward the engine's CTI (COMMON identity model): every call carries <c>AcdEngine:ServiceKey</c> as
/// <c>Authorization: Bearer</c>; a call made for a signed-in user also names that user in <c>x-hotline-act-as</c>, so the
/// engine applies the user's role, not TicketApi's.
/// </summary>
public static class EngineCredentials
{
    public const string ActAsHeader = "x-hotline-act-as";

    /// <summary>A CTI call invoker that sends the service key on every call.</summary>
    public static CallInvoker Authorised(GrpcChannel channel, string serviceKey) =>
        channel.Intercept(m =>
        {
            m.Add("authorization", "Bearer " + serviceKey);
            return m;
        });

    /// <summary>
    /// <c>agent:&lt;id&gt;</c>, <c>supervisor:&lt;name&gt;</c> or <c>admin:&lt;name&gt;</c> for the key holder behind an HTTP
    /// request; an agent key acts as the agent the request names. Null for a role the engine does not know (departments).
    /// </summary>
    public static string? ActAs(ClaimsPrincipal user, string agentId) => user.FindFirstValue(ClaimTypes.Role) switch
    {
        Roles.Agent => "agent:" + agentId,
        Roles.Supervisor => "supervisor:" + user.Identity?.Name,
        Roles.Admin => "admin:" + user.Identity?.Name,
        _ => null,
    };
}
