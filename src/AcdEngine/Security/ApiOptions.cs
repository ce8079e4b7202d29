using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Security;

/// <summary>The engine's API roles (COMMON identity model); the same names as TicketApi's roles, plus Service.</summary>
public static class ApiRoles
{
    public const string Admin = "Admin";
    public const string Supervisor = "Supervisor";
    public const string Agent = "Agent";
    /// <summary>Another program (TicketApi) that may act for a user with <c>x-hotline-act-as</c>.</summary>
    public const string Service = "Service";

    public static readonly IReadOnlyList<string> All = [Admin, Supervisor, Agent, Service];

    /// <summary>The canonical spelling of a configured role, or null when it is none of them.</summary>
    public static string? Canonical(string? role) => All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Who may call the HTTP API and CTI gRPC (<c>Api:Keys</c>): keys are stored only as SHA-256 hashes.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    public List<ApiKeyOptions> Keys { get; set; } = [];
}

/// <summary>One API key: <c>{ Name, Role, AgentId (Agent only), Sha256 }</c>.</summary>
public sealed class ApiKeyOptions
{
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public string? AgentId { get; set; }
    /// <summary>Hex of SHA-256 over the key's UTF-8 bytes (<c>printf %s KEY | sha256sum</c>).</summary>
    public string Sha256 { get; set; } = "";
}

/// <summary>A supervisor's phone (<c>Supervisors: [{ Name, SipUser }]</c>): the only accounts CTI Monitor rings.</summary>
public sealed class SupervisorAccount
{
    public string Name { get; set; } = "";
    public string SipUser { get; set; } = "";
}

/// <summary>The <c>Supervisors</c> array.</summary>
public sealed class SupervisorsOptions
{
    public const string Section = "Supervisors";

    public List<SupervisorAccount> List { get; set; } = [];

    /// <summary>The account a Monitor request names, by SIP user or supervisor name; null for anything else (a raw URI).</summary>
    public SupervisorAccount? Find(string? nameOrUser) => string.IsNullOrEmpty(nameOrUser) ? null
        : List.FirstOrDefault(s => s.SipUser == nameOrUser) ?? List.FirstOrDefault(s => s.Name == nameOrUser);

    public SupervisorAccount? ByName(string? name) => string.IsNullOrEmpty(name) ? null : List.FirstOrDefault(s => s.Name == name);
}

/// <summary>Refuses bad keys and supervisor accounts at start (exit 2 naming the key).</summary>
public sealed partial class ApiOptionsValidator : IValidateOptions<ApiOptions>, IValidateOptions<SupervisorsOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var hashes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var k = options.Keys[i];
            if (string.IsNullOrWhiteSpace(k.Name)) failures.Add($"Api:Keys:{i}:Name is required.");
            else if (!names.Add(k.Name)) failures.Add($"Api:Keys:{i}:Name '{k.Name}' appears twice.");
            var role = ApiRoles.Canonical(k.Role);
            if (role is null) failures.Add($"Api:Keys:{i}:Role must be one of {string.Join(", ", ApiRoles.All)} (got '{k.Role}').");
            if (role == ApiRoles.Agent && string.IsNullOrWhiteSpace(k.AgentId)) failures.Add($"Api:Keys:{i}:AgentId is required for an Agent key.");
            if (role is not null && role != ApiRoles.Agent && !string.IsNullOrEmpty(k.AgentId))
                failures.Add($"Api:Keys:{i}:AgentId is only for Agent keys.");
            if (!Sha256Hex().IsMatch(k.Sha256 ?? "")) failures.Add($"Api:Keys:{i}:Sha256 must be the 64 hex digits of the key's SHA-256.");
            else if (!hashes.Add(k.Sha256!)) failures.Add($"Api:Keys:{i}:Sha256 is the same key as another entry.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public ValidateOptionsResult Validate(string? name, SupervisorsOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.List.Count; i++)
        {
            var s = options.List[i];
            if (string.IsNullOrWhiteSpace(s.Name)) failures.Add($"Supervisors:{i}:Name is required.");
            if (!SipUser().IsMatch(s.SipUser ?? ""))
                failures.Add($"Supervisors:{i}:SipUser must be a SIP account's user part (1-32 letters, digits, '.', '_', '-', '+'), never a URI.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[0-9A-Fa-f]{64}$")]
    private static partial Regex Sha256Hex();

    [GeneratedRegex("^[A-Za-z0-9._+-]{1,32}$")]
    private static partial Regex SipUser();
}
