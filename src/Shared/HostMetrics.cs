using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Hotline.Hosting;

/// <summary>
/// <c>Metrics</c>: the Prometheus scrape endpoint of both programs (docs/operations.md "Monitoring").
/// Secure by default (COMMON): <c>GET /metrics</c> answers only a scraper that sends
/// <c>Authorization: Bearer &lt;token&gt;</c> whose SHA-256 is <see cref="BearerSha256"/>. With no hash configured every
/// scrape gets 401, except in <c>Security:DemoMode</c>, where the endpoint is open and the program says so loudly.
/// </summary>
public sealed partial class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>False removes <c>/metrics</c> (404) and every exporter cost.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Hex of SHA-256 of the scraper's bearer token (<c>printf %s TOKEN | sha256sum</c>); the token itself is never stored.</summary>
    public string BearerSha256 { get; set; } = "";

    internal static ValidateOptionsResult Validate(MetricsOptions o) =>
        string.IsNullOrEmpty(o.BearerSha256) || Sha256Hex().IsMatch(o.BearerSha256)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Metrics:BearerSha256 must be the 64 hex digits of the scrape token's SHA-256.");

    [GeneratedRegex("^[0-9A-Fa-f]{64}$")]
    private static partial Regex Sha256Hex();
}

/// <summary>OpenTelemetry metrics for both programs (one source file, compiled into each), exported for Prometheus.</summary>
public static partial class HostMetrics
{
    public const string Path = "/metrics";

    /// <summary>
    /// Listens to the program's own meters plus ASP.NET Core's (HTTP and gRPC server requests), Kestrel's and the
    /// runtime's, and adds the Prometheus exporter.
    /// </summary>
    public static WebApplicationBuilder AddHotlineMetrics(this WebApplicationBuilder builder, params string[] meters)
    {
        var section = builder.Configuration.GetSection(MetricsOptions.Section);
        builder.Services.AddOptions<MetricsOptions>().Bind(section)
            .Validate(o => MetricsOptions.Validate(o).Succeeded, "Metrics:BearerSha256 must be the 64 hex digits of the scrape token's SHA-256.")
            .ValidateOnStart();
        if (!section.GetValue(nameof(MetricsOptions.Enabled), true)) return builder;
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(meters)
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Grpc.AspNetCore.Server", "System.Runtime")
            // Every scrape sees the figures of that moment (the exporter otherwise caches for 300 ms).
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return builder;
    }

    /// <summary>Maps <c>GET /metrics</c> behind the scrape bearer (or open, loudly, in demo mode).</summary>
    public static WebApplication MapHotlineMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!options.Enabled) return app;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Hotline.Metrics");
        var demo = app.Configuration.GetValue("Security:DemoMode", false);
        byte[]? expected = options.BearerSha256.Length == 64 ? Convert.FromHexString(options.BearerSha256) : null;
        if (expected is null && demo) LogOpenInDemo(logger, Path);
        else if (expected is null) LogNoToken(logger, Path);
        // The scrape endpoint does its own check (a scraper has no API key); the programs' API policies do not apply.
        app.MapPrometheusScrapingEndpoint(Path, meterProvider: null,
            configureBranchedPipeline: branch => branch.Use(async (context, next) =>
            {
                if (Authorised(context, expected, demo))
                {
                    await next(context);
                    return;
                }
                LogRefused(logger, context.Connection.RemoteIpAddress?.ToString(), Path);
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"hotline-metrics\"";
            }), optionsName: null).AllowAnonymous();
        return app;
    }

    /// <summary>True when the request carries the scrape token (compared by hash, in constant time), or in open demo mode.</summary>
    internal static bool Authorised(HttpContext context, byte[]? expected, bool demo)
    {
        if (expected is null) return demo;
        var header = context.Request.Headers.Authorization;
        var value = header.Count == 1 ? header[0] ?? "" : "";
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || value.Length <= 7) return false;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(value[7..].Trim()));
        return CryptographicOperations.FixedTimeEquals(hash, expected);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "DEMO MODE: {Path} is open to anyone who can reach this port (Metrics:BearerSha256 is not set). Never run a real hotline like this.")]
    private static partial void LogOpenInDemo(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics:BearerSha256 is not set: {Path} refuses every scrape (401) until a scrape token is configured")]
    private static partial void LogNoToken(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics scrape refused (no or wrong bearer) from {Source} for {Path}")]
    private static partial void LogRefused(ILogger logger, string? source, string path);
}
