using System.Net;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Sip;

/// <summary>One account allowed to register (<c>Sip:Accounts:N:*</c>).</summary>
public sealed class SipAccountOptions
{
    public string User { get; set; } = "";
    public string Password { get; set; } = "";
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

    /// <summary>
    /// Addresses of the SIP proxies in front of the engines (Kamailio, deploy/kamailio): requests arriving from them
    /// were authenticated by the proxy (its <c>auth</c> module), so the engine does not challenge them again
    /// (<see cref="TrustedProxies"/>). Empty (the default): every request is judged on its own.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}

/// <summary>Validates <see cref="SipOptions"/> at start; each failure names its key.</summary>
public sealed class SipOptionsValidator : IValidateOptions<SipOptions>
{
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
        if (options.T1Milliseconds is < 100 or > 5000) failures.Add("Sip:T1Milliseconds must be between 100 and 5000.");
        if (options.NonceLifetimeSeconds is < 10 or > 3600) failures.Add("Sip:NonceLifetimeSeconds must be between 10 and 3600.");
        if (options.MaxAuthFailures is < 1 or > 1000) failures.Add("Sip:MaxAuthFailures must be between 1 and 1000.");
        if (options.LockoutSeconds is < 1 or > 86400) failures.Add("Sip:LockoutSeconds must be between 1 and 86400.");
        foreach (var a in options.DigestAlgorithms)
            if (a is not ("MD5" or "SHA-256")) failures.Add($"Sip:DigestAlgorithms may hold only MD5 and SHA-256, not '{a}'.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Accounts.Count; i++)
        {
            var a = options.Accounts[i];
            if (string.IsNullOrEmpty(a.User) || a.User.Length > 32 || a.User.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+')))
                failures.Add($"Sip:Accounts:{i}:User must be 1-32 letters, digits, '.', '_', '-' or '+'.");
            else if (!seen.Add(a.User)) failures.Add($"Sip:Accounts:{i}:User '{a.User}' appears twice.");
            if (string.IsNullOrEmpty(a.Password) || a.Password.Length < 6)
                failures.Add($"Sip:Accounts:{i}:Password must be at least 6 characters.");
        }
        for (var i = 0; i < options.TrustedProxies.Count; i++)
            if (!IPAddress.TryParse(options.TrustedProxies[i], out var proxy) || proxy.Equals(IPAddress.Any) || proxy.Equals(IPAddress.IPv6Any))
                failures.Add($"Sip:TrustedProxies:{i} must be one proxy's IP address (no names, no wildcard), not '{options.TrustedProxies[i]}'.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
