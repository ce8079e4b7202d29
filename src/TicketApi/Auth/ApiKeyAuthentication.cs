using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.Hosting;
using Hotline.TicketApi.WorkOrders;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hotline.TicketApi.Auth;

/// <summary>Authenticates <c>X-Api-Key</c>: the bootstrap admin key, or a stored key (by its SHA-256 hash).</summary>
public sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IOptions<AuthOptions> auth, TicketDbContext db)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";
    public const string DepartmentClaim = "department";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
            return AuthenticateResult.NoResult();
        var key = values[0]!;
        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(auth.Value.BootstrapAdminKey)))
            return Success("bootstrap-admin", Roles.Admin, null);
        var hash = ApiKey.Hash(key);
        var stored = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == hash, Context.RequestAborted);
        // Read on every request (no cache): a revoked key is refused from the request after its revocation.
        if (stored is null) return Refuse("Unknown API key.");
        if (stored.RevokedAt is not null) return Refuse("The API key has been revoked.");
        return Success(stored.Name, stored.Role, stored.DepartmentId);
    }

    /// <summary>A refused key is logged with the address it came from (issue 20: auth failures name their source).</summary>
    private AuthenticateResult Refuse(string why)
    {
        LogRefused(Logger, Context.Connection.RemoteIpAddress?.ToString() ?? "unknown", why);
        return AuthenticateResult.Fail(why);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "API key refused from {Source}: {Why}")]
    private static partial void LogRefused(ILogger logger, string source, string why);

    private AuthenticateResult Success(string name, string role, string? department)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(ClaimTypes.Role, role) };
        if (department is not null) claims.Add(new Claim(DepartmentClaim, department));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }
}

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

    public static IServiceCollection AddTicketAuth(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AnyRole, p => p.RequireRole(Roles.All))
            .AddPolicy(Hotline, p => p.RequireRole(Roles.Agent, Roles.Supervisor, Roles.Admin))
            .AddPolicy(Supervisor, p => p.RequireRole(Roles.Supervisor, Roles.Admin))
            .AddPolicy(Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(DepartmentStaff, p => p.RequireRole(Roles.Department, Roles.Supervisor, Roles.Admin));
        return services;
    }

    /// <summary>The acting key holder, for the audit trail and the department rule.</summary>
    public static Actor ToActor(this ClaimsPrincipal user) => new(
        user.Identity?.Name ?? "unknown",
        user.FindFirstValue(ClaimTypes.Role) ?? "",
        user.FindFirstValue(ApiKeyAuthenticationHandler.DepartmentClaim));
}
