using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Security;

/// <summary>The claims an engine caller carries.</summary>
public static class ApiClaims
{
    /// <summary>The agent an Agent key (or a Service acting as <c>agent:&lt;id&gt;</c>) is bound to.</summary>
    public const string AgentId = "hotline:agent";
    /// <summary>The configured key's name (the Service key's, when it acts for someone).</summary>
    public const string KeyName = "hotline:key";
    /// <summary>Set when a non-Service key sent <c>x-hotline-act-as</c>: every endpoint then answers 403.</summary>
    public const string ActAsRefused = "hotline:act-as-refused";

    public static string? Role(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role);
    public static string? AgentIdOf(this ClaimsPrincipal user) => user.FindFirstValue(AgentId);
}

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c> on the HTTP API and the CTI gRPC metadata (COMMON identity model): the key's
/// SHA-256 is looked up in <c>Api:Keys</c>. A Service key may act for a user with <c>x-hotline-act-as</c>
/// (<c>agent:&lt;id&gt;</c>, <c>supervisor:&lt;name&gt;</c>, <c>admin:&lt;name&gt;</c>); the request is then authorised as that user.
/// </summary>
public sealed partial class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder, IOptions<ApiOptions> api)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "Bearer";
    public const string ActAsHeader = "x-hotline-act-as";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization;
        if (header.Count == 0) return Task.FromResult(AuthenticateResult.NoResult());
        var value = header.Count == 1 ? header[0] ?? "" : "";
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || value.Length <= 7)
            return Task.FromResult(Refuse("not a Bearer credential"));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(value[7..].Trim()));
        // Compare hashes in constant time: the table is small, so every entry is checked.
        ApiKeyOptions? key = null;
        foreach (var k in api.Value.Keys)
            if (k.Sha256.Length == 64 && CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(k.Sha256))) key = k;
        if (key is null) return Task.FromResult(Refuse("unknown key"));

        var role = ApiRoles.Canonical(key.Role)!;
        var claims = new List<Claim> { new(ApiClaims.KeyName, key.Name) };
        var actAs = Request.Headers[ActAsHeader];
        if (actAs.Count == 0)
        {
            claims.Add(new Claim(ClaimTypes.Name, key.Name));
            claims.Add(new Claim(ClaimTypes.Role, role));
            if (role == ApiRoles.Agent) claims.Add(new Claim(ApiClaims.AgentId, key.AgentId!));
        }
        else if (role != ApiRoles.Service)
        {
            LogActAsRefused(Logger, key.Name, role, Context.Connection.RemoteIpAddress?.ToString());
            claims.Add(new Claim(ClaimTypes.Name, key.Name));
            claims.Add(new Claim(ApiClaims.ActAsRefused, "true"));
        }
        else if (ParseActAs(actAs.Count == 1 ? actAs[0] : null) is { } user)
        {
            claims.Add(new Claim(ClaimTypes.Name, user.Name));
            claims.Add(new Claim(ClaimTypes.Role, user.Role));
            if (user.Role == ApiRoles.Agent) claims.Add(new Claim(ApiClaims.AgentId, user.Name));
        }
        else
        {
            return Task.FromResult(Refuse($"malformed {ActAsHeader}"));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    /// <summary><c>agent:a1</c> → (Agent, a1); <c>supervisor:sue</c>, <c>admin:root</c>; null when malformed.</summary>
    internal static (string Role, string Name)? ParseActAs(string? value)
    {
        var colon = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0 || colon == value!.Length - 1 || value.Length > 200) return null;
        var role = value[..colon] switch
        {
            "agent" => ApiRoles.Agent,
            "supervisor" => ApiRoles.Supervisor,
            "admin" => ApiRoles.Admin,
            _ => null,
        };
        return role is null ? null : (role, value[(colon + 1)..]);
    }

    private AuthenticateResult Refuse(string why)
    {
        LogRefused(Logger, why, Context.Connection.RemoteIpAddress?.ToString(), Request.Path.Value);
        return AuthenticateResult.Fail(why);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"hotline-acdengine\"";
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "API authentication refused ({Why}) from {Source} for {Path}")]
    private static partial void LogRefused(ILogger logger, string why, string? source, string? path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API key {KeyName} ({Role}) sent x-hotline-act-as, which only Service keys may send; refused (from {Source})")]
    private static partial void LogActAsRefused(ILogger logger, string keyName, string role, string? source);
}
