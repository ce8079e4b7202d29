using System.Net;
using Hotline.Cti.Media.Srtp;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Sip;

/// <summary>One account allowed to register (<c>Sip:Accounts:N:*</c>).</summary>
public sealed class SipAccountOptions
{
    public string User { get; set; } = "";
    public string Password { get; set; } = "";

    /// <summary>May this account's phone call outside numbers through <c>Outbound:Gateway</c> (within the dial plan)?</summary>
    public bool CanDialOut { get; set; } = true;

    /// <summary>Calls this account may place at once (INVITEs from its phone; calls the engine rings it with do not count).</summary>
    public int MaxConcurrentCalls { get; set; } = 2;

    /// <summary>Calls this account may place per minute (a token bucket with a burst of the same size).</summary>
    public int CallsPerMinute { get; set; } = 10;

    /// <summary>
    /// Media protection for this account's calls: <c>Srtp</c> (required), <c>Optional</c> or <c>Plain</c>.
    /// Unset: the transport's default (<c>Sip:Media</c>, or <c>Sip:TlsMedia</c> over TLS).
    /// </summary>
    public SrtpPolicy? Media { get; set; }
}

/// <summary>
/// Per-source-address limits on what reaches the engine without a dialog (<c>Sip:Limits:*</c>): new dialogs
/// (INVITE, SUBSCRIBE, REFER, MESSAGE…) and registrations are token buckets, calls at once are capped. A carrier
/// trunk or SBC that brings many citizens' calls from one address goes in <see cref="TrustedSources"/>.
/// </summary>
public sealed class SipLimitOptions
{
    public double DialogsPerSecond { get; set; } = 5;
    public int DialogBurst { get; set; } = 20;
    public double RegistersPerSecond { get; set; } = 2;
    public int RegisterBurst { get; set; } = 10;
    public int MaxCallsPerSource { get; set; } = 20;

    /// <summary>IP addresses exempt from the per-source limits (the carrier's SBC); account limits still apply.</summary>
    public List<string> TrustedSources { get; set; } = [];
}

/// <summary>SIP over TLS (<c>Sip:Tls:*</c>, RFC 3261 §26.2): on when a certificate is configured.</summary>
public sealed class SipTlsOptions
{
    /// <summary>TLS port (5061).</summary>
    public int Port { get; set; } = 5061;

    /// <summary>PEM certificate (chain); re-read when it changes. Empty: no TLS listener.</summary>
    public string CertificatePath { get; set; } = "";

    /// <summary>PEM private key of <see cref="CertificatePath"/>.</summary>
    public string KeyPath { get; set; } = "";

    /// <summary>PEM CA bundle that peers we connect to, and client certificates, must chain to (empty: system store).</summary>
    public string CaBundlePath { get; set; } = "";

    /// <summary>Refuse TLS clients without a certificate from the CA bundle (for trunks authenticated by certificate).</summary>
    public bool RequireClientCertificate { get; set; }
}

/// <summary>
/// SIP over WebSocket for agents' browsers (<c>Sip:WebSocket:*</c>, RFC 7118): <c>wss</c> with the <c>Sip:Tls</c>
/// certificate; plain <c>ws</c> only with <see cref="AllowPlain"/> or <c>Security:DemoMode</c> (logged loudly).
/// </summary>
public sealed class SipWebSocketSettings
{
    public bool Enabled { get; set; }

    /// <summary>Listening port (8089 by default; 0: any free port).</summary>
    public int Port { get; set; } = 8089;

    /// <summary>Path of the upgrade request: the desk's phone connects to <c>wss://host:Port/Path</c>.</summary>
    public string Path { get; set; } = "/sip";

    /// <summary>Plain <c>ws</c> without a certificate (demos on loopback); <c>Security:DemoMode</c> allows it too.</summary>
    public bool AllowPlain { get; set; }

    /// <summary>
    /// Origins of the pages that may open the phone's WebSocket: the desk's (TicketApi's public URL, e.g.
    /// <c>https://desk.example.org</c>), or <c>*</c> for any page (logged as a warning). A browser's upgrade from any
    /// other origin gets 403 (RFC 6455 §10.2); softphones send no Origin and are judged by SIP digest alone. Required
    /// when <see cref="Enabled"/>, except in <c>Security:DemoMode</c>, where an empty list means any origin.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>The configured origins as browsers serialise them (RFC 6454 §6.2); null for an entry that is no origin.</summary>
    public static string? Serialise(string entry)
    {
        if (entry == "*") return entry;
        var trimmed = entry.EndsWith('/') ? entry[..^1] : entry;
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.UserInfo.Length > 0
            || uri.PathAndQuery != "/" || uri.Fragment.Length > 0 || trimmed.Count(c => c == '/') != 2)
            return null;
        return uri.Scheme + "://" + uri.IdnHost.ToLowerInvariant() + (uri.IsDefaultPort ? "" : ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>The SIP stack of the engine (<c>Sip:*</c>).</summary>
public sealed class SipOptions
{
    public const string Section = "Sip";

    /// <summary>Address to listen on (IPv4 or IPv6 literal; 0.0.0.0 or :: for all).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>UDP and TCP port.</summary>
    public int Port { get; set; } = 5060;

    /// <summary>Our SIP domain: the registrar's realm and the host of our AORs.</summary>
    public string Domain { get; set; } = "127.0.0.1";

    /// <summary>Address written in Via/Contact when <see cref="Host"/> is a wildcard (default: loopback).</summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>The echo test number (answers with media once the media core is wired).</summary>
    public string EchoNumber { get; set; } = "*43";

    /// <summary>The echo number rings (180) this long before answering; 0 answers at once.</summary>
    public int EchoAnswerDelayMilliseconds { get; set; }

    /// <summary>Also listen on TCP.</summary>
    public bool EnableTcp { get; set; } = true;

    /// <summary>
    /// UDP datagrams taken per receive system call and responses sent per send call (Linux recvmmsg/sendmmsg, issue 22);
    /// 1 sends and receives one datagram per call, as other platforms always do.
    /// </summary>
    public int UdpBatch { get; set; } = 16;

    /// <summary>
    /// Concurrent UDP receive loops on the SIP socket; 0 (the default) = one per core, at least two. More loops let
    /// requests be handled in parallel on a machine with more cores; each holds one receive batch's buffers (~1 MiB).
    /// </summary>
    public int UdpReceivers { get; set; }

    /// <summary>RFC 3261 T1 in milliseconds (500 by default; raise it on slow links).</summary>
    public int T1Milliseconds { get; set; } = 500;

    /// <summary>Seconds a digest nonce stays valid.</summary>
    public int NonceLifetimeSeconds { get; set; } = 300;

    /// <summary>Failed authentications from one address before it is locked out.</summary>
    public int MaxAuthFailures { get; set; } = 5;

    /// <summary>Seconds a locked-out address is refused.</summary>
    public int LockoutSeconds { get; set; } = 600;

    /// <summary>Digest algorithms offered, preferred first: <c>SHA-256</c>, <c>MD5</c>. Empty means MD5 only.</summary>
    public List<string> DigestAlgorithms { get; set; } = [];

    public List<SipAccountOptions> Accounts { get; set; } = [];

    public SipLimitOptions Limits { get; set; } = new();

    public SipTcpOptions Tcp { get; set; } = new();

    public SipTlsOptions Tls { get; set; } = new();

    public SipWebSocketSettings WebSocket { get; set; } = new();

    /// <summary>
    /// Addresses of the SIP proxies in front of the engines (Kamailio, deploy/kamailio): requests arriving from them
    /// were authenticated by the proxy (its <c>auth</c> module), so the engine does not challenge them again
    /// (<see cref="TrustedProxies"/>). Empty (the default): every request is judged on its own.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// The SIP proxy whose registrar the agents' and departments' phones register with (Kamailio, deploy/kamailio), as a
    /// SIP URI with an IP address: <c>sip:10.0.0.10:5060</c> (<c>;transport=tcp</c> for TCP). Set: every phone the engine
    /// rings by user (agent, department, supervisor) gets its INVITE sent there with the user's address of record as
    /// Request-URI (<c>sip:&lt;user&gt;@&lt;AgentDomain&gt;</c>); the proxy looks the phone up and relays it, and later
    /// requests of the dialog follow its Record-Route. Any engine can then ring any phone, and a phone registers once.
    /// Empty (the default): phones register with this engine and are rung at their binding here.
    /// </summary>
    public string AgentProxy { get; set; } = "";

    /// <summary>Domain of the phones' addresses of record at <see cref="AgentProxy"/> (Kamailio's DOMAIN); empty: the proxy's host.</summary>
    public string AgentDomain { get; set; } = "";

    /// <summary><see cref="AgentProxy"/> parsed (validated at start); null when phones register with this engine.</summary>
    public Hotline.Cti.Sip.Messages.SipUri? AgentProxyUri =>
        AgentProxy.Length > 0 && Hotline.Cti.Sip.Messages.SipUri.TryParse(AgentProxy, out var uri) ? uri : null;

    /// <summary>Media protection over UDP/TCP for accounts without their own <c>Media</c> (SRTP if the phone offers it).</summary>
    public SrtpPolicy Media { get; set; } = SrtpPolicy.Optional;

    /// <summary>
    /// Media protection over TLS for accounts without their own <c>Media</c>: SRTP required, since SDES keys are
    /// only as secret as the signalling that carries them (RFC 4568 §8.3).
    /// </summary>
    public SrtpPolicy TlsMedia { get; set; } = SrtpPolicy.Srtp;

    /// <summary>The policy of one leg: the account's own, else the transport's default.</summary>
    public SrtpPolicy MediaPolicyFor(string user, Hotline.Cti.Sip.Transport.SipProtocol protocol) =>
        Accounts.Find(a => a.User == user)?.Media
        ?? (protocol == Hotline.Cti.Sip.Transport.SipProtocol.Tls ? TlsMedia : Media);
}

/// <summary>TCP connection hygiene (<c>Sip:Tcp:*</c>): deadlines, caps and send queues; see <see cref="Hotline.Cti.Sip.Transport.SipStreamOptions"/>.</summary>
public sealed class SipTcpOptions
{
    /// <summary>Seconds a connection has to deliver each message from its first byte (and its first message once opened).</summary>
    public int MessageTimeoutSeconds { get; set; } = 10;

    /// <summary>Seconds without any traffic before a connection is closed.</summary>
    public int IdleTimeoutSeconds { get; set; } = 900;

    public int MaxConnections { get; set; } = 1024;
    public int MaxConnectionsPerSource { get; set; } = 32;
    public int SendQueueMessages { get; set; } = 256;
    public int WriteTimeoutSeconds { get; set; } = 10;

    public Hotline.Cti.Sip.Transport.SipStreamOptions ToStreamOptions() => new()
    {
        MessageTimeout = TimeSpan.FromSeconds(MessageTimeoutSeconds),
        IdleTimeout = TimeSpan.FromSeconds(IdleTimeoutSeconds),
        MaxConnections = MaxConnections,
        MaxConnectionsPerSource = MaxConnectionsPerSource,
        SendQueueMessages = SendQueueMessages,
        WriteTimeout = TimeSpan.FromSeconds(WriteTimeoutSeconds),
    };
}

/// <summary>Validates <see cref="SipOptions"/> at start; each failure names its key.</summary>
public sealed class SipOptionsValidator(IConfiguration? configuration = null) : IValidateOptions<SipOptions>
{
    /// <summary><c>Security:DemoMode</c>, which also allows plain <c>ws</c> (tools/run.sh has no certificate).</summary>
    private bool DemoMode => configuration?.GetValue<bool>("Security:DemoMode") ?? false;

    public ValidateOptionsResult Validate(string? name, SipOptions options)
    {
        var failures = new List<string>();
        if (!IPAddress.TryParse(options.Host, out _)) failures.Add($"Sip:Host must be an IPv4 or IPv6 address (e.g. 127.0.0.1 or ::), not '{options.Host}'.");
        if (options.Port is < 0 or > 65535) failures.Add("Sip:Port must be between 0 and 65535.");
        if (string.IsNullOrWhiteSpace(options.Domain) || options.Domain.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':')))
            failures.Add("Sip:Domain must be a host name or address.");
        if (options.AdvertisedHost is not null && !IPAddress.TryParse(options.AdvertisedHost, out _))
            failures.Add("Sip:AdvertisedHost must be an IP address.");
        if (string.IsNullOrEmpty(options.EchoNumber) || options.EchoNumber.Length > 32 || options.EchoNumber.Any(c => !(char.IsAsciiDigit(c) || c is '*' or '#' or '+')))
            failures.Add("Sip:EchoNumber must be 1-32 dial digits (0-9, *, #, +).");
        if (options.EchoAnswerDelayMilliseconds is < 0 or > 60000) failures.Add("Sip:EchoAnswerDelayMilliseconds must be between 0 and 60000.");
        if (options.UdpBatch is < 1 or > 64) failures.Add("Sip:UdpBatch must be between 1 and 64.");
        if (options.UdpReceivers is < 0 or > 64) failures.Add("Sip:UdpReceivers must be between 0 (one per core) and 64.");
        if (options.T1Milliseconds is < 100 or > 5000) failures.Add("Sip:T1Milliseconds must be between 100 and 5000.");
        if (options.NonceLifetimeSeconds is < 10 or > 3600) failures.Add("Sip:NonceLifetimeSeconds must be between 10 and 3600.");
        if (options.MaxAuthFailures is < 1 or > 1000) failures.Add("Sip:MaxAuthFailures must be between 1 and 1000.");
        if (options.LockoutSeconds is < 1 or > 86400) failures.Add("Sip:LockoutSeconds must be between 1 and 86400.");
        foreach (var a in options.DigestAlgorithms)
            if (a is not ("MD5" or "SHA-256")) failures.Add($"Sip:DigestAlgorithms may hold only MD5 and SHA-256, not '{a}'.");
        if (options.Tls.Port is < 0 or > 65535) failures.Add("Sip:Tls:Port must be between 0 and 65535.");
        if ((options.Tls.CertificatePath.Length > 0) != (options.Tls.KeyPath.Length > 0))
            failures.Add("Sip:Tls:CertificatePath and Sip:Tls:KeyPath go together (PEM certificate and its private key).");
        foreach (var (key, path) in new[] { ("Sip:Tls:CertificatePath", options.Tls.CertificatePath), ("Sip:Tls:KeyPath", options.Tls.KeyPath), ("Sip:Tls:CaBundlePath", options.Tls.CaBundlePath) })
            if (path.Length > 0 && !File.Exists(path)) failures.Add($"{key}: file '{path}' does not exist.");
        if (options.WebSocket.Enabled)
        {
            if (options.WebSocket.Port is < 0 or > 65535) failures.Add("Sip:WebSocket:Port must be between 0 and 65535.");
            if (!options.WebSocket.Path.StartsWith('/') || options.WebSocket.Path.Length > 200 || options.WebSocket.Path.Any(c => c <= ' ' || c is '?' or '#' or '%' || c > '~'))
                failures.Add("Sip:WebSocket:Path must be an absolute URL path such as /sip (no spaces, query or escapes).");
            if (options.Tls.CertificatePath.Length == 0 && !options.WebSocket.AllowPlain && !DemoMode)
                failures.Add("Sip:WebSocket needs Sip:Tls:CertificatePath (wss); plain ws only with Sip:WebSocket:AllowPlain=true or Security:DemoMode=true.");
            if (options.WebSocket.AllowedOrigins.Count == 0 && !DemoMode)
                failures.Add("Sip:WebSocket:AllowedOrigins must list the origins of the pages that may open the phone's connection "
                    + "(the desk's, e.g. https://desk.example.org), or \"*\" for any page.");
            for (var i = 0; i < options.WebSocket.AllowedOrigins.Count; i++)
                if (SipWebSocketSettings.Serialise(options.WebSocket.AllowedOrigins[i]) is null)
                    failures.Add($"Sip:WebSocket:AllowedOrigins:{i} must be \"*\" or an origin such as https://desk.example.org:8443 (scheme, host and port; no path).");
        }
        if (!Enum.IsDefined(options.Media)) failures.Add("Sip:Media must be Srtp, Optional or Plain.");
        if (!Enum.IsDefined(options.TlsMedia)) failures.Add("Sip:TlsMedia must be Srtp, Optional or Plain.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Accounts.Count; i++)
        {
            var a = options.Accounts[i];
            if (string.IsNullOrEmpty(a.User) || a.User.Length > 32 || a.User.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+')))
                failures.Add($"Sip:Accounts:{i}:User must be 1-32 letters, digits, '.', '_', '-' or '+'.");
            else if (!seen.Add(a.User)) failures.Add($"Sip:Accounts:{i}:User '{a.User}' appears twice.");
            if (string.IsNullOrEmpty(a.Password) || a.Password.Length < 6)
                failures.Add($"Sip:Accounts:{i}:Password must be at least 6 characters.");
            if (a.MaxConcurrentCalls is < 1 or > 100) failures.Add($"Sip:Accounts:{i}:MaxConcurrentCalls must be between 1 and 100.");
            if (a.CallsPerMinute is < 1 or > 600) failures.Add($"Sip:Accounts:{i}:CallsPerMinute must be between 1 and 600.");
            if (a.Media is { } m && !Enum.IsDefined(m)) failures.Add($"Sip:Accounts:{i}:Media must be Srtp, Optional or Plain.");
        }
        var l = options.Limits;
        if (l.DialogsPerSecond is <= 0 or > 10000) failures.Add("Sip:Limits:DialogsPerSecond must be above 0 and at most 10000.");
        if (l.DialogBurst is < 1 or > 100000) failures.Add("Sip:Limits:DialogBurst must be between 1 and 100000.");
        if (l.RegistersPerSecond is <= 0 or > 10000) failures.Add("Sip:Limits:RegistersPerSecond must be above 0 and at most 10000.");
        if (l.RegisterBurst is < 1 or > 100000) failures.Add("Sip:Limits:RegisterBurst must be between 1 and 100000.");
        if (l.MaxCallsPerSource is < 1 or > 100000) failures.Add("Sip:Limits:MaxCallsPerSource must be between 1 and 100000.");
        failures.AddRange(options.Tcp.ToStreamOptions().Validate());
        foreach (var t in l.TrustedSources)
            if (!IPAddress.TryParse(t, out _)) failures.Add($"Sip:Limits:TrustedSources must hold IP addresses, not '{t}'.");
        for (var i = 0; i < options.TrustedProxies.Count; i++)
            if (!IPAddress.TryParse(options.TrustedProxies[i], out var proxy) || proxy.Equals(IPAddress.Any) || proxy.Equals(IPAddress.IPv6Any))
                failures.Add($"Sip:TrustedProxies:{i} must be one proxy's IP address (no names, no wildcard), not '{options.TrustedProxies[i]}'.");
        if (options.AgentProxy.Length > 0)
        {
            // An address, not a name: the engine must not depend on DNS to ring its agents (and never looks one up per call).
            if (options.AgentProxyUri is not { Scheme: "sip", User: null } proxy || !IPAddress.TryParse(proxy.Host.Trim('[', ']'), out _)
                || proxy.Transport is { } t && !t.Equals("udp", StringComparison.OrdinalIgnoreCase) && !t.Equals("tcp", StringComparison.OrdinalIgnoreCase))
                failures.Add($"Sip:AgentProxy must be the proxy's SIP URI with an IP address and no user, e.g. sip:10.0.0.10:5060 (;transport=udp or tcp), not '{options.AgentProxy}'.");
        }
        if (options.AgentDomain.Length > 0 && options.AgentDomain.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':')))
            failures.Add("Sip:AgentDomain must be a host name or address.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
