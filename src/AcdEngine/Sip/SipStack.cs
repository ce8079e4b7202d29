using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Registrar;
using Hotline.Cti.Sip.Transactions;
using Hotline.Cti.Sip.Transport;
using Hotline.Cti.Sip.UserAgent;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Sip;

/// <summary>
/// The engine's SIP stack built from <see cref="SipOptions"/>: transport layer, user-agent core and registrar,
/// one instance per host. The telephony glue subscribes to <see cref="UserAgent"/> and looks contacts up in
/// <see cref="Registrar"/>.
/// </summary>
public sealed class SipStack : IAsyncDisposable
{
    public SipStack(IOptions<SipOptions> options, TimeProvider time, ILoggerFactory loggers, IConfiguration? configuration = null)
    {
        var o = options.Value;
        Options = o;
        try
        {
            Transport = new SipTransportLayer(
                new SipTransportOptions
                {
                    Host = o.Host, Port = o.Port, AdvertisedHost = o.AdvertisedHost, EnableTcp = o.EnableTcp, UdpBatch = o.UdpBatch, UdpReceivers = o.UdpReceivers, Stream = o.Tcp.ToStreamOptions(),
                    TlsPort = o.Tls.Port, TlsCertificatePath = NullIfEmpty(o.Tls.CertificatePath), TlsKeyPath = NullIfEmpty(o.Tls.KeyPath),
                    TlsCaBundlePath = NullIfEmpty(o.Tls.CaBundlePath), TlsRequireClientCertificate = o.Tls.RequireClientCertificate,
                    WebSocket = o.WebSocket.Enabled
                        ? new SipWebSocketOptions
                        {
                            Port = o.WebSocket.Port, Path = o.WebSocket.Path,
                            AllowPlain = o.WebSocket.AllowPlain || (configuration?.GetValue<bool>("Security:DemoMode") ?? false),
                            // Validated at start: every entry serialises; empty only in demo mode, where any page may.
                            AllowedOrigins = o.WebSocket.AllowedOrigins.Count == 0 ? ["*"] : [.. o.WebSocket.AllowedOrigins.Select(e => SipWebSocketSettings.Serialise(e)!)],
                        }
                        : null,
                },
                SipParserLimits.Default, loggers.CreateLogger<SipTransportLayer>());
        }
        catch (SocketException ex)
        {
            // A taken port is a configuration problem: stop the host with a message naming the key.
            throw new OptionsValidationException(SipOptions.Section, typeof(SipOptions),
                [$"Sip:Port {o.Port} (or Sip:Tls:Port {o.Tls.Port}, Sip:WebSocket:Port {o.WebSocket.Port}) on Sip:Host {o.Host} cannot be bound ({ex.SocketErrorCode}); choose a free port."]);
        }
        catch (InvalidOperationException ex) when (o.Tls.CertificatePath.Length > 0)
        {
            throw new OptionsValidationException(SipOptions.Section, typeof(SipOptions), [$"Sip:Tls: {ex.Message}"]);
        }
        var timers = new SipTimerSettings { T1 = TimeSpan.FromMilliseconds(o.T1Milliseconds) };
        UserAgent = new SipUserAgent(Transport, new SipUserAgentOptions { Domain = o.Domain, Timers = timers, Product = "Hotline-AcdEngine" },
            time, loggers.CreateLogger<SipUserAgent>());
        // Default MD5 only: baresip 1.0 fails on a challenge set that contains SHA-256 (ENOSYS) and sipp 3.6
        // answers only MD5; sites whose phones speak RFC 8760 set Sip:DigestAlgorithms to ["SHA-256", "MD5"].
        var algorithms = o.DigestAlgorithms.Count == 0
            ? [DigestAlgorithm.Md5]
            : o.DigestAlgorithms.Select(a => a == "SHA-256" ? DigestAlgorithm.Sha256 : DigestAlgorithm.Md5).ToList();
        var registrarOptions = new SipRegistrarOptions
        {
            Realm = o.Domain,
            Algorithms = algorithms,
            NonceLifetime = TimeSpan.FromSeconds(o.NonceLifetimeSeconds),
            MaxFailures = o.MaxAuthFailures,
            LockoutDuration = TimeSpan.FromSeconds(o.LockoutSeconds),
        };
        // One digest check for REGISTER (401) and every other request from our accounts (407): one nonce table,
        // one failure count per source (RFC 3261 §22).
        Authenticator = new SipDigestAuthenticator(o.Accounts.Select(a => new SipAccount(a.User, a.Password)), registrarOptions,
            time, loggers.CreateLogger<SipDigestAuthenticator>());
        Registrar = new SipRegistrar(Authenticator, registrarOptions, time, loggers.CreateLogger<SipRegistrar>());
    }

    public SipOptions Options { get; }
    public SipTransportLayer Transport { get; }
    public SipUserAgent UserAgent { get; }
    public SipRegistrar Registrar { get; }
    public SipDigestAuthenticator Authenticator { get; }

    public void Start() => Transport.Start(UserAgent.Receive);

    public ValueTask DisposeAsync() => Transport.DisposeAsync();

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
