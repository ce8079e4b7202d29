using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Sip.Registrar;

/// <summary>Which digest exchange a request is challenged with (RFC 3261 §22.2 and §22.3).</summary>
public enum DigestChallengeKind
{
    /// <summary>A user agent server / registrar: 401 with WWW-Authenticate, answered in Authorization (§22.2).</summary>
    Server,

    /// <summary>A proxy-like element (our routing of INVITE, REFER, MESSAGE…): 407 with Proxy-Authenticate, answered in Proxy-Authorization (§22.3).</summary>
    Proxy,
}

/// <summary>Sends a final response for a request being authenticated (status, reason phrase, extra headers).</summary>
public delegate void DigestResponder(int statusCode, string? reasonPhrase, Action<SipMessage>? configure);

/// <summary>
/// The one digest check of the engine: nonces that carry their own issue time and an HMAC, replay refusal per
/// nonce-count, and lock-out of source addresses that keep failing. The registrar (401) and the routing of
/// out-of-dialog requests (407) share one instance, so a password guesser meets one failure count whichever method
/// it uses. Unknown users are answered exactly like known ones (no user-name probing).
/// </summary>
public sealed partial class SipDigestAuthenticator
{
    private const string ProxyAuthorization = "Proxy-Authorization";
    private const string ProxyAuthenticate = "Proxy-Authenticate";
    private readonly Dictionary<string, SipAccount> _accounts;
    private readonly SipRegistrarOptions _options;
    private readonly ILogger _logger;
    private readonly DigestNonces _nonces;
    private readonly AuthFailureLockout _lockout;

    public SipDigestAuthenticator(IEnumerable<SipAccount> accounts, SipRegistrarOptions options, TimeProvider time, ILogger logger)
    {
        _accounts = accounts.ToDictionary(a => a.User, StringComparer.Ordinal);
        _options = options;
        _logger = logger;
        _nonces = new DigestNonces(time, options.NonceLifetime);
        _lockout = new AuthFailureLockout(time, options.MaxFailures, options.FailureWindow, options.LockoutDuration);
    }

    public string Realm => _options.Realm;

    /// <summary>Failed authentications since start (all methods).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    private long _failures;

    public bool IsAccount(string? user) => user is not null && _accounts.ContainsKey(user);

    private bool Supports(string? algorithm) => DigestComputation.TryParse(algorithm, out var known) && _options.Algorithms.Contains(known);

    private static bool IsDigest(string header)
    {
        var s = header.AsSpan().TrimStart();
        return s.Length > 6 && s.StartsWith("Digest", StringComparison.OrdinalIgnoreCase) && s[6] is ' ' or '\t';
    }

    /// <summary>True when the request carries credentials for this kind of challenge.</summary>
    public static bool HasCredentials(SipMessage message, DigestChallengeKind kind) => Header(message, kind) is not null;

    /// <summary>
    /// Checks the request's digest credentials. Returns the authenticated account, or null after answering through
    /// <paramref name="respond"/> (401/407 challenge, 400, or 403 once the source is locked out).
    /// <paramref name="expectedUser"/>, when given, is the identity the request claims (the To user of a REGISTER,
    /// the From user of an INVITE): credentials for another account are a failure.
    /// </summary>
    public SipAccount? Authenticate(ServerRequest request, DigestChallengeKind kind, DigestResponder respond, string? expectedUser = null)
    {
        var message = request.Message;
        var source = request.Source.Address.Address;
        if (_lockout.IsLockedOut(source))
        {
            respond(403, "Forbidden (too many failed attempts)", null);
            return null;
        }
        var header = Header(message, kind);
        // A scheme we do not know is no credentials at all: challenge with the one we do (RFC 3261 §22.1, RFC 4475
        // §3.3.7 regaut01), as for an unsupported algorithm (RFC 8760 §2.4).
        if (header is null || !IsDigest(header) || (DigestCredentials.TryParse(header, out var offered) && !Supports(offered.Algorithm)))
        {
            Challenge(kind, respond, stale: false);
            return null;
        }
        if (!DigestCredentials.TryParse(header, out var credentials) || !DigestComputation.TryParse(credentials.Algorithm, out var algorithm))
        {
            respond(400, "Bad Request (malformed " + (kind == DigestChallengeKind.Proxy ? ProxyAuthorization : SipHeaderNames.Authorization) + ")", null);
            return null;
        }
        if (!_accounts.TryGetValue(credentials.Username!, out var account))
        {
            // Computed like a real check would not help: the answer is the same challenge either way.
            Fail(request, kind, respond, "unknown user");
            return null;
        }
        if ((expectedUser is not null && expectedUser != account.User) || credentials.Realm != _options.Realm)
        {
            Fail(request, kind, respond, "user or realm mismatch");
            return null;
        }
        if (credentials.Qop is not null && (credentials.Qop != "auth" || credentials.Cnonce is null || credentials.NonceCount is null))
        {
            respond(400, "Bad Request (qop=auth needs cnonce and nc)", null);
            return null;
        }
        var expected = DigestComputation.Response(algorithm, account.User, _options.Realm, account.Password, message.Method,
            credentials.Uri!, credentials.Nonce!, credentials.Qop, credentials.NonceCount, credentials.Cnonce);
        if (!string.Equals(expected, credentials.Response, StringComparison.OrdinalIgnoreCase))
        {
            Fail(request, kind, respond, "wrong password");
            return null;
        }
        // Check the nonce only after the digest matched, so a forged request cannot burn someone's nonce-count.
        switch (_nonces.Check(credentials.Nonce!, credentials.Qop is null ? null : credentials.NonceCount))
        {
            case NonceCheck.Valid:
                _lockout.RecordSuccess(source);
                return account;
            case NonceCheck.Stale:
                Challenge(kind, respond, stale: true);
                return null;
            case NonceCheck.Replayed:
                LogReplay(account.User, message.Method);
                Challenge(kind, respond, stale: false);
                return null;
            default:
                Fail(request, kind, respond, "nonce not ours");
                return null;
        }
    }

    /// <summary>A fresh challenge without looking at credentials (e.g. an unknown user without credentials).</summary>
    public void Challenge(DigestChallengeKind kind, DigestResponder respond, bool stale)
    {
        var nonce = _nonces.Create();
        var name = kind == DigestChallengeKind.Proxy ? ProxyAuthenticate : SipHeaderNames.WwwAuthenticate;
        respond(kind == DigestChallengeKind.Proxy ? 407 : 401, null, r =>
        {
            // RFC 8760 §2.4: one challenge per algorithm, preferred first.
            foreach (var algorithm in _options.Algorithms)
                r.AddHeader(name, $"Digest realm=\"{_options.Realm}\", nonce=\"{nonce}\", algorithm={algorithm.Name()}, qop=\"auth\"{(stale ? ", stale=true" : "")}");
        });
    }

    private void Fail(ServerRequest request, DigestChallengeKind kind, DigestResponder respond, string why)
    {
        Interlocked.Increment(ref _failures);
        var source = request.Source.Address.Address;
        if (_lockout.RecordFailure(source))
        {
            LogLockedOut(source.ToString(), _options.LockoutDuration);
            respond(403, "Forbidden (too many failed attempts)", null);
            return;
        }
        LogAuthFailed(request.Message.Method, source.ToString(), why);
        Challenge(kind, respond, stale: false);
    }

    private static string? Header(SipMessage message, DigestChallengeKind kind) =>
        kind == DigestChallengeKind.Proxy ? message.GetHeader(ProxyAuthorization) : message.GetHeader(SipHeaderId.Authorization);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP: {Method} authentication failed from {Source}: {Why}")]
    private partial void LogAuthFailed(string method, string source, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP: {Source} locked out for {Duration} after repeated authentication failures")]
    private partial void LogLockedOut(string source, TimeSpan duration);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP: replayed nonce-count from {User} ({Method})")]
    private partial void LogReplay(string user, string method);
}
