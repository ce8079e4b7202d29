using System.Collections.Concurrent;

namespace Hotline.Cti.Sip.Registrar;

/// <summary>One registered contact of an address-of-record (RFC 3261 §10.3).</summary>
/// <remarks>
/// <c>RegisteredAt</c> is the time of the REGISTER that last added or refreshed the contact: the newest binding is
/// the one registered last, whatever its Expires (a softphone asking for 3600 s must not outrank a browser that registered
/// after it for 300 s). Bindings saved before this field existed read as <c>default</c> and rank after the others.
/// </remarks>
public sealed record SipBinding(string User, string Contact, DateTimeOffset ExpiresAt, string CallId, uint CSeq, string Source, string? UserAgent,
    DateTimeOffset RegisteredAt = default)
{
    public int RemainingSeconds(DateTimeOffset now) => Math.Max(0, (int)Math.Ceiling((ExpiresAt - now).TotalSeconds));
}

/// <summary>Why a binding update was refused.</summary>
public enum BindingUpdateError
{
    None,
    /// <summary>§10.3 step 7: same Call-ID with a CSeq not higher than the stored one.</summary>
    OutOfOrder,
    TooManyContacts,
}

/// <summary>
/// The location service: bindings per user, each user's list replaced as a whole under its own lock (one owner per
/// piece of state); expired bindings are dropped whenever the user's list is read or written. A user's (possibly empty)
/// list is never removed: the users are the directory's, a bounded set, and a list removed while a REGISTER held it
/// would lose that registration.
/// </summary>
public sealed class SipBindings(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, List<SipBinding>> _byUser = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Raised after a REGISTER changed a user's bindings (so a host can persist them).</summary>
    public event Action? Changed;

    /// <summary>
    /// Puts back bindings saved before a restart, dropping those that expired meanwhile: a phone registered for an
    /// hour stays reachable across an engine restart without re-registering (issue 20).
    /// </summary>
    public int Restore(IEnumerable<SipBinding> saved)
    {
        var now = time.GetUtcNow();
        var restored = 0;
        foreach (var b in saved)
        {
            if (b.ExpiresAt <= now) continue;
            var list = _byUser.GetOrAdd(b.User, _ => []);
            lock (list)
            {
                if (list.Exists(x => SameContact(x.Contact, b.Contact))) continue;
                list.Add(b);
                restored++;
            }
        }
        return restored;
    }

    /// <summary>Live contacts of <paramref name="user"/>, most recently registered first (then the longest-lived).</summary>
    public IReadOnlyList<SipBinding> Lookup(string user)
    {
        if (!_byUser.TryGetValue(user, out var list)) return [];
        var now = time.GetUtcNow();
        lock (list)
        {
            list.RemoveAll(b => b.ExpiresAt <= now);
            return [.. list.OrderByDescending(b => b.RegisteredAt).ThenByDescending(b => b.ExpiresAt)];
        }
    }

    /// <summary>Every live binding (for the registrations API).</summary>
    public IReadOnlyList<SipBinding> Snapshot()
    {
        var all = new List<SipBinding>();
        foreach (var user in _byUser.Keys) all.AddRange(Lookup(user));
        return all;
    }

    /// <summary>
    /// Applies one REGISTER's contacts (§10.3 step 7): add, refresh, or remove (expires 0). A contact already
    /// bound under the same Call-ID must come with a higher CSeq.
    /// </summary>
    public BindingUpdateError Update(string user, IReadOnlyList<(string Contact, int Expires)> contacts, string callId, uint cseq,
        string source, string? userAgent, int maxContacts)
    {
        var list = _byUser.GetOrAdd(user, _ => []);
        var now = time.GetUtcNow();
        lock (list)
        {
            list.RemoveAll(b => b.ExpiresAt <= now);
            foreach (var (contact, _) in contacts)
            {
                var existing = list.Find(b => SameContact(b.Contact, contact));
                if (existing is not null && existing.CallId == callId && cseq <= existing.CSeq) return BindingUpdateError.OutOfOrder;
            }
            var added = contacts.Count(c => c.Expires > 0 && !list.Exists(b => SameContact(b.Contact, c.Contact)));
            if (list.Count + added > maxContacts) return BindingUpdateError.TooManyContacts;
            foreach (var (contact, expires) in contacts)
            {
                list.RemoveAll(b => SameContact(b.Contact, contact));
                if (expires > 0) list.Add(new SipBinding(user, contact, now.AddSeconds(expires), callId, cseq, source, userAgent, now));
            }
        }
        Changed?.Invoke();
        return BindingUpdateError.None;
    }

    /// <summary>§10.3 step 6: <c>Contact: *</c> with Expires 0 removes every binding (subject to the Call-ID/CSeq rule).</summary>
    public BindingUpdateError RemoveAll(string user, string callId, uint cseq)
    {
        if (!_byUser.TryGetValue(user, out var list)) return BindingUpdateError.None;
        lock (list)
        {
            if (list.Exists(b => b.CallId == callId && cseq <= b.CSeq)) return BindingUpdateError.OutOfOrder;
            list.Clear();
        }
        Changed?.Invoke();
        return BindingUpdateError.None;
    }

    /// <summary>§10.3 step 7 compares contact URIs with §19.1.4 rules; we compare case-insensitively as text.</summary>
    private static bool SameContact(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
