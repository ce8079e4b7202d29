using System.Collections.Concurrent;
using System.Net;

namespace Hotline.Cti.Sip.Registrar;

/// <summary>
/// Counts failed authentications per source address; after too many within a window the source is locked out for
/// a while (password-guessing defence). Entries expire, so the table stays bounded by active attackers.
/// </summary>
public sealed class AuthFailureLockout(TimeProvider time, int maxFailures, TimeSpan window, TimeSpan lockout)
{
    private readonly ConcurrentDictionary<IPAddress, Entry> _entries = new();

    private sealed class Entry
    {
        public int Failures;
        public DateTimeOffset WindowStart;
        public DateTimeOffset LockedUntil;
    }

    public bool IsLockedOut(IPAddress source)
    {
        if (!_entries.TryGetValue(source, out var e)) return false;
        lock (e)
        {
            var now = time.GetUtcNow();
            if (e.LockedUntil > now) return true;
            if (now - e.WindowStart > window && e.LockedUntil <= now) _entries.TryRemove(new KeyValuePair<IPAddress, Entry>(source, e));
            return false;
        }
    }

    /// <summary>Records a failure; returns true if this one locked the source out.</summary>
    public bool RecordFailure(IPAddress source)
    {
        var e = _entries.GetOrAdd(source, _ => new Entry { WindowStart = time.GetUtcNow() });
        lock (e)
        {
            var now = time.GetUtcNow();
            if (now - e.WindowStart > window)
            {
                e.WindowStart = now;
                e.Failures = 0;
            }
            if (++e.Failures < maxFailures) return false;
            e.LockedUntil = now + lockout;
            e.Failures = 0;
            e.WindowStart = now;
            return true;
        }
    }

    public void RecordSuccess(IPAddress source)
    {
        if (_entries.TryGetValue(source, out var e))
            lock (e)
                if (e.LockedUntil <= time.GetUtcNow()) e.Failures = 0;
    }
}
