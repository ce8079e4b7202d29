namespace Hotline.Cti.Sip.Registrar;

/// <summary>An account allowed to register (<c>Sip:Accounts:N:User</c> / <c>Password</c>).</summary>
public sealed record SipAccount(string User, string Password);

/// <summary>How the registrar authenticates and keeps bindings.</summary>
public sealed record SipRegistrarOptions
{
    /// <summary>Digest realm (RFC 3261 §22.1): normally the SIP domain.</summary>
    public string Realm { get; init; } = "hotline";

    /// <summary>
    /// Algorithms offered, in order of preference (RFC 8760 §2.4: one challenge per algorithm). MD5 comes first by
    /// default because sipp 3.6 and baresip 1.0 answer only the topmost challenge and know only MD5.
    /// </summary>
    public IReadOnlyList<DigestAlgorithm> Algorithms { get; init; } = [DigestAlgorithm.Md5, DigestAlgorithm.Sha256];

    /// <summary>How long a nonce is accepted; after that the client gets <c>stale=true</c>.</summary>
    public TimeSpan NonceLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>RFC 3261 §10.3 step 7: shorter requested expiry gets 423 with Min-Expires.</summary>
    public int MinExpiresSeconds { get; init; } = 60;

    public int MaxExpiresSeconds { get; init; } = 7200;

    public int DefaultExpiresSeconds { get; init; } = 3600;

    /// <summary>Failed authentications from one source address within <see cref="FailureWindow"/> before lock-out.</summary>
    public int MaxFailures { get; init; } = 5;

    public TimeSpan FailureWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a locked-out source gets 403 for every REGISTER.</summary>
    public TimeSpan LockoutDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Most contacts one address-of-record may hold.</summary>
    public int MaxContactsPerUser { get; init; } = 10;
}
