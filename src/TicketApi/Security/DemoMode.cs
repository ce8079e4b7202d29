using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Hotline.TicketApi.Security;

/// <summary><c>Security:DemoMode</c>: the published demo credentials are accepted only when this is switched on.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>True only for a demo (tools/run.sh): the published bootstrap key and demo keys are then accepted, loudly.</summary>
    public bool DemoMode { get; set; }
}

/// <summary>
/// The credentials shipped in appsettings.json and the docs (the same values as the engine's): anyone can read them,
/// so without <c>Security:DemoMode</c> TicketApi refuses to start with one (COMMON identity model).
/// </summary>
public static class DemoCredentials
{
    public const string BootstrapAdminKey = "dev-admin-key-change-me-0001";
    public const string ServiceKey = "demo-ticketapi-service-key";
    public const string NodeKey = "demo-acd-1-node-key";

    /// <summary>Every configuration key that holds a published credential (empty when none does).</summary>
    public static IEnumerable<string> Find(IConfiguration configuration)
    {
        if (configuration["Auth:BootstrapAdminKey"] == BootstrapAdminKey) yield return "Auth:BootstrapAdminKey";
        if (configuration["AcdEngine:ServiceKey"] == ServiceKey) yield return "AcdEngine:ServiceKey";
        var nodeHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(NodeKey)));
        foreach (var node in configuration.GetSection("Ingest:Nodes").GetChildren())
            if (string.Equals(node["Sha256"], nodeHash, StringComparison.OrdinalIgnoreCase)) yield return $"Ingest:Nodes:{node.Key}:Sha256";
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

/// <summary>Says loudly, at start, that TicketApi runs with demo credentials.</summary>
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
