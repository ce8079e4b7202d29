using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Hotline.TicketApi.Recordings;

/// <summary>
/// Short-lived tickets for an <c>&lt;audio&gt;</c> element: the element cannot send the <c>X-Api-Key</c> header, and the key
/// must never appear in a URL, so the page asks (with its key) for a ticket bound to one order's recording and plays
/// <c>/api/recordings/play/{ticket}</c>. A ticket is 32 random bytes, valid <see cref="Lifetime"/>, for that recording only.
/// </summary>
public sealed class ListenTickets(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);
    private readonly ConcurrentDictionary<string, Ticket> _tickets = new(StringComparer.Ordinal);

    public sealed record Ticket(long OrderId, string CallId, string Listener, DateTimeOffset Expires);

    public string Issue(long orderId, string callId, string listener)
    {
        var now = time.GetUtcNow();
        foreach (var (key, t) in _tickets)
            if (t.Expires <= now) _tickets.TryRemove(key, out _);
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        _tickets[id] = new Ticket(orderId, callId, listener, now + Lifetime);
        return id;
    }

    public Ticket? Redeem(string id) =>
        _tickets.TryGetValue(id, out var t) && t.Expires > time.GetUtcNow() ? t : null;
}
