using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Hotline.TicketApi.Auth;

namespace Hotline.TicketApi.Security;

/// <summary>Authenticates <c>X-Api-Key</c>: the bootstrap admin key, or a stored key (by its SHA-256 hash).</summary>
public sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IOptions<AuthOptions> auth, TicketDbContext db, FailedKeyLimit limit)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";
    public const string DepartmentClaim = Policies.DepartmentClaim;
    /// <summary>An agent key's engine agent id: the desk acts as this agent, and only as this agent.</summary>
    public const string AgentClaim = Policies.AgentClaim;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
            return AuthenticateResult.NoResult();
        var key = values[0]!;
        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(auth.Value.BootstrapAdminKey)))
            return Success("bootstrap-admin", Roles.Admin, null, null);
        var hash = ApiKey.Hash(key);
        var stored = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == hash, Context.RequestAborted);
        // Read on every request (no cache): a revoked key is refused from the request after its revocation.
        if (stored is null) return Refuse("Unknown API key.");
        if (stored.RevokedAt is not null) return Refuse("The API key has been revoked.");
        return Success(stored.Name, stored.Role, stored.DepartmentId, stored.Role == Roles.Agent ? stored.AgentId : null);
    }

    /// <summary>A wrong key is logged with its source and counted against it (<see cref="FailedKeyLimit"/>).</summary>
    private AuthenticateResult Refuse(string why)
    {
        var source = Context.Connection.RemoteIpAddress;
        var exhausted = source is not null && limit.RecordFailure(source);
        LogRefused(Logger, why, source?.ToString(), Request.Path.Value, exhausted);
        return AuthenticateResult.Fail(why);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "API key refused ({Why}) from {Source} for {Path}; source now throttled: {Throttled}")]
    private static partial void LogRefused(ILogger logger, string why, string? source, string? path, bool throttled);

    private AuthenticateResult Success(string name, string role, string? department, string? agentId)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(ClaimTypes.Role, role) };
        if (department is not null) claims.Add(new Claim(DepartmentClaim, department));
        if (agentId is not null) claims.Add(new Claim(AgentClaim, agentId));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }
}

/// <summary>API-key authentication and the role policies of the REST API.</summary>
public static class TicketAuthRegistration
{
    public static IServiceCollection AddTicketAuth(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.AnyRole, p => p.RequireRole(Roles.All))
            .AddPolicy(Policies.Hotline, p => p.RequireRole(Roles.Agent, Roles.Supervisor, Roles.Admin))
            .AddPolicy(Policies.Supervisor, p => p.RequireRole(Roles.Supervisor, Roles.Admin))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.DepartmentStaff, p => p.RequireRole(Roles.Department, Roles.Supervisor, Roles.Admin));
        return services;
    }
}
