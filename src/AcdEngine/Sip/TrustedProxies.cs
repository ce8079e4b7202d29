using System.Net;

namespace Hotline.AcdEngine.Sip;

/// <summary>
/// The proxies (<c>Sip:TrustedProxies</c>) whose relayed requests the engine takes as authenticated: Kamailio in
/// front of the engines challenges phones itself (deploy/kamailio, its <c>auth</c> module) and relays only what
/// passed. The identity rules call <see cref="IsTrusted"/> with the packet's source address — the transport's, never
/// a Via or header a sender can write (RFC 3261 §18.2.1: "received" is what the transport saw) — before challenging
/// an INVITE from one of the hotline's own accounts. Anyone else is challenged as before.
/// </summary>
public sealed class TrustedProxies
{
    private readonly IPAddress[] _addresses;

    public TrustedProxies(IEnumerable<string> addresses) =>
        _addresses = [.. addresses.Select(a => Normalise(IPAddress.Parse(a)))];

    public static TrustedProxies From(SipOptions options) => new(options.TrustedProxies);

    public bool IsEmpty => _addresses.Length == 0;

    /// <summary>True when <paramref name="source"/> (the packet's source address) is one of the trusted proxies.</summary>
    public bool IsTrusted(IPAddress source)
    {
        var s = Normalise(source);
        foreach (var a in _addresses)
            if (a.Equals(s)) return true;
        return false;
    }

    /// <summary>An IPv4 proxy seen on a dual-stack socket arrives as ::ffff:a.b.c.d.</summary>
    private static IPAddress Normalise(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
}
