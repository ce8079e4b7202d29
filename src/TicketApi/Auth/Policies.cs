using System.Security.Claims;
using Hotline.TicketApi.WorkOrders;
namespace Hotline.TicketApi.Auth;

/// <summary>The authorisation policies of the REST API, by role.</summary>
public static class Policies
{
    /// <summary>Any valid key.</summary>
    public const string AnyRole = "any-role";
    /// <summary>The hotline's own staff: agent, supervisor, admin (not departments).</summary>
    public const string Hotline = "hotline";
    public const string Supervisor = "supervisor";
    public const string Admin = "admin";
    /// <summary>Who may act for a department (return, extension, reply): department staff, supervisors, admins.</summary>
    public const string DepartmentStaff = "department-staff";

    /// <summary>The claim carrying the department a department key acts for.</summary>
    public const string DepartmentClaim = "department";
    /// <summary>The claim carrying the engine agent id an agent key is bound to.</summary>
    public const string AgentClaim = "agent";

    /// <summary>The engine agent id an agent key is bound to, or null (not an agent, or an unbound agent key).</summary>
    public static string? AgentIdOf(this ClaimsPrincipal user) => user.FindFirstValue(AgentClaim);

    /// <summary>The acting key holder, for the audit trail and the department rule.</summary>
    public static Actor ToActor(this ClaimsPrincipal user) => new(
        user.Identity?.Name ?? "unknown",
        user.FindFirstValue(ClaimTypes.Role) ?? "",
        user.FindFirstValue(DepartmentClaim));
}
