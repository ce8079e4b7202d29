using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Security;

/// <summary><c>Security:DemoMode</c>: the published demo credentials are accepted only when this is switched on.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>True only for a demo (tools/run.sh): then the published SIP passwords and API keys are accepted, loudly.</summary>
    public bool DemoMode { get; set; }
}

/// <summary>
/// The credentials shipped in appsettings.json and the docs. Anyone can read them, so a hotline configured with one is
/// open to anyone: without <c>Security:DemoMode</c> the engine refuses to start (COMMON identity model).
/// </summary>
public static class DemoCredentials
{
    public static readonly IReadOnlySet<string> SipPasswords = new HashSet<string>(StringComparer.Ordinal) { "agent1001", "agent1002", "dept2001" };

    public const string AdminKey = "demo-engine-admin-key";
    public const string ServiceKey = "demo-ticketapi-service-key";
    public const string NodeKey = "demo-acd-1-node-key";

    public static readonly IReadOnlySet<string> ApiKeyHashes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        Sha256Hex(AdminKey), Sha256Hex(ServiceKey),
    };

    public static string Sha256Hex(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Every configuration key that holds a published credential (empty when none does).</summary>
    public static IEnumerable<string> Find(IConfiguration configuration)
    {
        foreach (var account in configuration.GetSection("Sip:Accounts").GetChildren())
            if (account["Password"] is { } p && SipPasswords.Contains(p)) yield return $"Sip:Accounts:{account.Key}:Password";
        foreach (var key in configuration.GetSection("Api:Keys").GetChildren())
            if (key["Sha256"] is { } h && ApiKeyHashes.Contains(h)) yield return $"Api:Keys:{key.Key}:Sha256";
        if (configuration["TicketApi:NodeKey"] == NodeKey) yield return "TicketApi:NodeKey";
    }
}

/// <summary>Refuses to start with a published credential unless <c>Security:DemoMode</c> is on (exit 2 naming the key).</summary>
public sealed class DemoModeValidator(IConfiguration configuration) : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        if (options.DemoMode) return ValidateOptionsResult.Success;
        var found = DemoCredentials.Find(configuration).ToList();
        return found.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(found.Select(k =>
            $"{k} is a published demo credential: configure your own (docs/security.md), or set Security:DemoMode=true for a demo on loopback."));
    }
}

/// <summary>Says loudly, at start, that the engine runs with demo credentials.</summary>
public sealed partial class DemoModeWarning(IOptions<SecurityOptions> options, IConfiguration configuration, ILogger<DemoModeWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.DemoMode)
            LogDemoMode(logger, string.Join(", ", DemoCredentials.Find(configuration).DefaultIfEmpty("none in use")));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "*** DEMO MODE (Security:DemoMode=true): published demo credentials are accepted ({DemoKeys}). Anyone who has read the docs can use them. Never run a real hotline like this; see docs/security.md. ***")]
    private static partial void LogDemoMode(ILogger logger, string demoKeys);
}
