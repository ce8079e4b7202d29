using System.Net;
using System.Security.Authentication;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hotline.Tls;

/// <summary>
/// <c>Tls:*</c> of a program's HTTP/gRPC side: the server certificate of its https:// Kestrel endpoints and the CA
/// bundle its gRPC client trusts. Plain http:// is allowed on loopback only, unless <see cref="AllowPlainHttp"/>.
/// </summary>
public sealed class TlsOptions
{
    public const string Section = "Tls";

    /// <summary>PEM certificate (chain) of our https:// endpoints; re-read when it changes.</summary>
    public string CertificatePath { get; set; } = "";

    /// <summary>PEM private key of <see cref="CertificatePath"/>.</summary>
    public string KeyPath { get; set; } = "";

    /// <summary>PEM CA bundle our gRPC client verifies servers with; empty for the system store.</summary>
    public string CaBundlePath { get; set; } = "";

    /// <summary>Explicitly allow plain http:// on non-loopback addresses (server endpoints and client URLs). Loud.</summary>
    public bool AllowPlainHttp { get; set; }

    public bool HasCertificate => CertificatePath.Length > 0;

    /// <summary>True for loopback literals and <c>localhost</c>.</summary>
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}

/// <summary>
/// Validates <c>Tls:*</c> against the program's Kestrel endpoints and the gRPC URL it dials (each failure names its key).
/// </summary>
internal sealed class TlsOptionsValidator(IConfiguration configuration, params string[] clientUrlKeys) : IValidateOptions<TlsOptions>
{
    public ValidateOptionsResult Validate(string? name, TlsOptions options)
    {
        var failures = new List<string>();
        if (options.HasCertificate != (options.KeyPath.Length > 0))
            failures.Add("Tls:CertificatePath and Tls:KeyPath go together (PEM certificate and its private key).");
        foreach (var (key, path) in new[] { ("Tls:CertificatePath", options.CertificatePath), ("Tls:KeyPath", options.KeyPath), ("Tls:CaBundlePath", options.CaBundlePath) })
            if (path.Length > 0 && !File.Exists(path)) failures.Add($"{key}: file '{path}' does not exist.");
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            var key = $"Kestrel:Endpoints:{endpoint.Key}:Url";
            var url = endpoint["Url"] ?? "";
            CheckUrl(key, url, options, failures);
            if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && !options.HasCertificate
                && endpoint.GetSection("Certificate").GetChildren().All(c => string.IsNullOrEmpty(c.Value)))
                failures.Add($"{key} is https:// but Tls:CertificatePath/Tls:KeyPath are not set.");
        }
        foreach (var key in clientUrlKeys) CheckUrl(key, configuration[key] ?? "", options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckUrl(string key, string url, TlsOptions options, List<string> failures)
    {
        if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || options.AllowPlainHttp) return;
        var host = Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal),
            UriKind.Absolute, out var uri) ? uri.Host : "";
        if (!TlsOptions.IsLoopback(host))
            failures.Add($"{key} is plain http:// on a non-loopback address ({url}): use https:// (Tls:CertificatePath/KeyPath, Tls:CaBundlePath) or set Tls:AllowPlainHttp=true.");
    }
}

/// <summary>The TLS wiring of a host: Kestrel's https defaults and the one place gRPC channels are built.</summary>
internal static partial class HostTls
{
    /// <summary>
    /// Binds and validates <c>Tls:*</c>; https:// endpoints serve <c>Tls:CertificatePath</c> (reloaded when it
    /// changes) with TLS 1.2/1.3 only. <paramref name="clientUrlKeys"/> are the configuration keys of the URLs this
    /// program dials (checked by the same plain-HTTP rule).
    /// </summary>
    public static WebApplicationBuilder AddHotlineTls(this WebApplicationBuilder builder, params string[] clientUrlKeys)
    {
        builder.Services.AddOptions<TlsOptions>().Bind(builder.Configuration.GetSection(TlsOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TlsOptions>>(new TlsOptionsValidator(builder.Configuration, clientUrlKeys));
        var tls = builder.Configuration.GetSection(TlsOptions.Section).Get<TlsOptions>() ?? new TlsOptions();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
        {
            https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            if (!tls.HasCertificate || !File.Exists(tls.CertificatePath) || !File.Exists(tls.KeyPath)) return; // the validator says why
            var source = new PemCertificateSource(tls.CertificatePath, tls.KeyPath, TimeProvider.System,
                kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Hotline.Tls"));
            https.ServerCertificateSelector = (_, _) => source.Current;
        }));
        return builder;
    }

    /// <summary>Logs the loud warning when plain HTTP is explicitly allowed (call once the host is built).</summary>
    public static void WarnIfPlainHttpAllowed(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TlsOptions>>().Value.AllowPlainHttp)
            LogPlainAllowed(app.Logger);
    }

    /// <summary>
    /// A gRPC channel to <paramref name="url"/>: https:// verifies the server against <c>Tls:CaBundlePath</c> (or the
    /// system store) and the URL's host, and logs a clear line when it refuses; http:// only where the validator
    /// allowed it. The one place this program builds gRPC channels (credentials are added here too).
    /// </summary>
    public static GrpcChannel CreateChannel(string url, TlsOptions tls, string peerName, ILogger logger)
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var verifier = new TlsPeerVerifier(tls.CaBundlePath, $"{peerName} {url}", logger);
            handler.SslOptions.EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            handler.SslOptions.RemoteCertificateValidationCallback = verifier.Verify;
        }
        // grpc-dotnet backs off reconnecting a refused connection on its own (1 s growing to 120 s by default) and fails
        // calls at once while it waits: capped at 1 s, so a peer that comes up is reached within a second (issue 20).
        return GrpcChannel.ForAddress(url, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(200),
            MaxReconnectBackoff = TimeSpan.FromSeconds(1),
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tls:AllowPlainHttp is on: HTTP and gRPC may run unencrypted on the network. Do not use this in production.")]
    private static partial void LogPlainAllowed(ILogger logger);
}
