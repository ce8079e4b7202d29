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
    private readonly SipRegistrarOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SipRegistrar> _logger;

    public SipRegistrar(IEnumerable<SipAccount> accounts, SipRegistrarOptions options, TimeProvider time, ILogger<SipRegistrar> logger)
        : this(new SipDigestAuthenticator(accounts, options, time, logger), options, time, logger)
    {
    }

    /// <summary>A registrar sharing <paramref name="authenticator"/> (nonces, lock-out) with the rest of the stack.</summary>
    public SipRegistrar(SipDigestAuthenticator authenticator, SipRegistrarOptions options, TimeProvider time, ILogger<SipRegistrar> logger)
    {
        Authenticator = authenticator;
        _options = options;
        _time = time;
        _logger = logger;
        Bindings = new SipBindings(time);
    }

    public SipBindings Bindings { get; }

    /// <summary>The digest check (RFC 3261 §22) this registrar uses; the routing challenges other requests with it.</summary>
    public SipDigestAuthenticator Authenticator { get; }

    /// <summary>Answers one REGISTER (§10.3 steps 1–8).</summary>
    public void Handle(ServerRequest request)
    {
        var user = request.Message.To?.Uri.User;
        // §10.3 step 5: the To user is the address-of-record; credentials must be that account's. An unknown To
        // user is answered as a known one would be, so user names cannot be probed.
        var account = Authenticator.Authenticate(request, DigestChallengeKind.Server,
            (status, reason, configure) => request.Respond(status, reason, configure, toTag: status == 401 ? SipIdentifiers.NewTag() : null),
            expectedUser: user ?? "");
        if (account is null) return;
        UpdateBindings(request, account.User);
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
}
