using System.Globalization;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Sip.Registrar;

/// <summary>
/// A registrar (RFC 3261 §10.3) with digest authentication (§22, RFC 8760 MD5/SHA-256, qop=auth, nonce expiry,
/// replay protection) and lock-out of sources that keep failing.
/// </summary>
public sealed partial class SipRegistrar
{
    private readonly Dictionary<string, SipAccount> _accounts;
    private readonly SipRegistrarOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SipRegistrar> _logger;
    private readonly DigestNonces _nonces;
    private readonly AuthFailureLockout _lockout;

    public SipRegistrar(IEnumerable<SipAccount> accounts, SipRegistrarOptions options, TimeProvider time, ILogger<SipRegistrar> logger)
    {
        _accounts = accounts.ToDictionary(a => a.User, StringComparer.Ordinal);
        _options = options;
        _time = time;
        _logger = logger;
        _nonces = new DigestNonces(time, options.NonceLifetime);
        _lockout = new AuthFailureLockout(time, options.MaxFailures, options.FailureWindow, options.LockoutDuration);
        Bindings = new SipBindings(time);
    }

    public SipBindings Bindings { get; }

    /// <summary>Answers one REGISTER (§10.3 steps 1–8).</summary>
    public void Handle(ServerRequest request)
    {
        var message = request.Message;
        var source = request.Source.Address.Address;
        if (_lockout.IsLockedOut(source))
        {
            request.Respond(403, "Forbidden (too many failed attempts)");
            return;
        }
        var user = message.To?.Uri.User;
        if (user is null || !_accounts.TryGetValue(user, out var account))
        {
            // Answer as for a known user, so user names cannot be probed; count the attempt if credentials came.
            if (message.GetHeader(SipHeaderId.Authorization) is not null) Fail(request, "unknown user");
            else Challenge(request, stale: false);
            return;
        }
        if (!Authenticate(request, account)) return;
        _lockout.RecordSuccess(source);
        UpdateBindings(request, user);
    }

    private bool Authenticate(ServerRequest request, SipAccount account)
    {
        var message = request.Message;
        var header = message.GetHeader(SipHeaderId.Authorization);
        if (header is null)
        {
            Challenge(request, stale: false);
            return false;
        }
        if (!DigestCredentials.TryParse(header, out var credentials) || !DigestComputation.TryParse(credentials.Algorithm, out var algorithm) ||
            !_options.Algorithms.Contains(algorithm))
        {
            request.Respond(400, "Bad Request (malformed Authorization)");
            return false;
        }
        if (credentials.Username != account.User || credentials.Realm != _options.Realm)
        {
            Fail(request, "user or realm mismatch");
            return false;
        }
        if (credentials.Qop is not null && (credentials.Qop != "auth" || credentials.Cnonce is null || credentials.NonceCount is null))
        {
            request.Respond(400, "Bad Request (qop=auth needs cnonce and nc)");
            return false;
        }
        var expected = DigestComputation.Response(algorithm, account.User, _options.Realm, account.Password, message.Method,
            credentials.Uri!, credentials.Nonce!, credentials.Qop, credentials.NonceCount, credentials.Cnonce);
        if (!string.Equals(expected, credentials.Response, StringComparison.OrdinalIgnoreCase))
        {
            Fail(request, "wrong password");
            return false;
        }
        // Check the nonce only after the digest matched, so a forged request cannot burn someone's nonce-count.
        switch (_nonces.Check(credentials.Nonce!, credentials.Qop is null ? null : credentials.NonceCount))
        {
            case NonceCheck.Valid:
                return true;
            case NonceCheck.Stale:
                Challenge(request, stale: true);
                return false;
            case NonceCheck.Replayed:
                LogReplay(account.User);
                Challenge(request, stale: false);
                return false;
            default:
                Fail(request, "nonce not ours");
                return false;
        }
    }

    private void Fail(ServerRequest request, string why)
    {
        var source = request.Source.Address.Address;
        if (_lockout.RecordFailure(source))
        {
            LogLockedOut(source.ToString(), _options.LockoutDuration);
            request.Respond(403, "Forbidden (too many failed attempts)");
            return;
        }
        LogAuthFailed(source.ToString(), why);
        Challenge(request, stale: false);
    }

    /// <summary>401 with one WWW-Authenticate per algorithm, preferred first (RFC 8760 §2.4).</summary>
    private void Challenge(ServerRequest request, bool stale)
    {
        var nonce = _nonces.Create();
        request.Respond(401, toTag: SipIdentifiers.NewTag(), configure: r =>
        {
            foreach (var algorithm in _options.Algorithms)
            {
                r.AddHeader(SipHeaderNames.WwwAuthenticate,
                    $"Digest realm=\"{_options.Realm}\", nonce=\"{nonce}\", algorithm={algorithm.Name()}, qop=\"auth\"{(stale ? ", stale=true" : "")}");
            }
        });
    }

    private void UpdateBindings(ServerRequest request, string user)
    {
        var message = request.Message;
        var contacts = message.GetValues(SipHeaderId.Contact);
        var expiresHeader = message.GetHeader(SipHeaderId.Expires);
        int? headerExpires = null;
        if (expiresHeader is not null)
        {
            if (!int.TryParse(expiresHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var e))
            {
                request.Respond(400, "Bad Request (malformed Expires)");
                return;
            }
            headerExpires = e;
        }
        var error = BindingUpdateError.None;
        if (contacts.Count == 1 && contacts[0] == "*")
        {
            // §10.3 step 6: "*" only with Expires: 0.
            if (headerExpires != 0)
            {
                request.Respond(400, "Bad Request (Contact * needs Expires: 0)");
                return;
            }
            error = Bindings.RemoveAll(user, message.CallId, message.CSeq.Number);
            LogUnregisteredAll(user);
        }
        else if (contacts.Count > 0)
        {
            var updates = new List<(string, int)>(contacts.Count);
            foreach (var c in contacts)
            {
                if (!SipNameAddr.TryParse(c, out var contact) || c == "*")
                {
                    request.Respond(400, "Bad Request (malformed Contact)");
                    return;
                }
                var expires = int.TryParse(contact.Parameters["expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var ce)
                    ? ce : headerExpires ?? _options.DefaultExpiresSeconds;
                if (expires > 0 && expires < _options.MinExpiresSeconds)
                {
                    request.Respond(423, configure: r => r.AddHeader(SipHeaderNames.MinExpires, _options.MinExpiresSeconds.ToString(CultureInfo.InvariantCulture)));
                    return;
                }
                updates.Add((contact.Uri.ToString(), Math.Min(expires, _options.MaxExpiresSeconds)));
            }
            error = Bindings.Update(user, updates, message.CallId, message.CSeq.Number, request.Source.ToString(),
                message.GetHeader(SipHeaderId.UserAgent), _options.MaxContactsPerUser);
            if (error == BindingUpdateError.None) LogRegistered(user, updates.Count, updates[0].Item2);
        }
        if (error == BindingUpdateError.OutOfOrder)
        {
            request.Respond(500, "Server Internal Error (REGISTER out of order)");
            return;
        }
        if (error == BindingUpdateError.TooManyContacts)
        {
            request.Respond(403, "Forbidden (too many contacts)");
            return;
        }
        // §10.3 step 8: 200 OK lists every current binding with its remaining expiry.
        var now = _time.GetUtcNow();
        var current = Bindings.Lookup(user);
        request.Respond(200, toTag: SipIdentifiers.NewTag(), configure: r =>
        {
            foreach (var b in current)
                r.AddHeader(SipHeaderNames.Contact, "<" + b.Contact + ">;expires=" + b.RemainingSeconds(now).ToString(CultureInfo.InvariantCulture));
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP registrar: {User} updated {Count} contact(s), expires {Expires} s")]
    private partial void LogRegistered(string user, int count, int expires);

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP registrar: {User} removed all contacts")]
    private partial void LogUnregisteredAll(string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP registrar: authentication failed from {Source}: {Why}")]
    private partial void LogAuthFailed(string source, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP registrar: {Source} locked out for {Duration} after repeated failures")]
    private partial void LogLockedOut(string source, TimeSpan duration);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP registrar: replayed nonce-count from {User}")]
    private partial void LogReplay(string user);
}
