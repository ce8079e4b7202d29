using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Hotline.Cti.Sip.Registrar;

/// <summary>Outcome of checking a nonce.</summary>
public enum NonceCheck
{
    Valid,
    /// <summary>Ours, but older than the lifetime: challenge again with <c>stale=true</c> (RFC 2617 §3.2.1).</summary>
    Stale,
    /// <summary>Not made by us, or tampered with.</summary>
    Invalid,
    /// <summary>A nonce-count already used (or a no-qop nonce used twice): a replay.</summary>
    Replayed,
}

/// <summary>
/// Issues nonces that carry their own issue time and an HMAC (so no state is kept per challenge), and remembers
/// the highest nonce-count seen per nonce to refuse replays until the nonce expires.
/// </summary>
public sealed class DigestNonces
{
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly ConcurrentDictionary<string, (uint LastCount, long IssuedTicks)> _used = new(StringComparer.Ordinal);
    private long _nextSweepTicks;

    public DigestNonces(TimeProvider time, TimeSpan lifetime)
    {
        _time = time;
        _lifetime = lifetime;
    }

    /// <summary>Nonces currently remembered for replay protection.</summary>
    public int Remembered => _used.Count;

    public string Create()
    {
        Span<byte> raw = stackalloc byte[8 + 8 + 16];
        BinaryPrimitives.WriteInt64BigEndian(raw, _time.GetUtcNow().UtcTicks);
        RandomNumberGenerator.Fill(raw.Slice(8, 8));
        Sign(raw[..16], raw[16..]);
        return Convert.ToBase64String(raw).Replace('+', '-').Replace('/', '_').TrimEnd('=');
    }

    /// <summary>
    /// Checks a nonce and its count: counts must rise per nonce (qop=auth, RFC 2617 §3.2.2), a nonce without qop
    /// is good once.
    /// </summary>
    public NonceCheck Check(string nonce, string? nonceCount)
    {
        if (!TryDecode(nonce, out var issued)) return NonceCheck.Invalid;
        var now = _time.GetUtcNow().UtcTicks;
        Sweep(now);
        if (now - issued > _lifetime.Ticks || issued - now > TimeSpan.FromMinutes(1).Ticks) return NonceCheck.Stale;
        uint count = 0;
        if (nonceCount is not null && (nonceCount.Length != 8 || !uint.TryParse(nonceCount, System.Globalization.NumberStyles.HexNumber, null, out count) || count == 0))
            return NonceCheck.Invalid;
        while (true)
        {
            if (_used.TryGetValue(nonce, out var seen))
            {
                if (count <= seen.LastCount) return NonceCheck.Replayed;
                if (_used.TryUpdate(nonce, (count, issued), seen)) return NonceCheck.Valid;
            }
            else if (_used.TryAdd(nonce, (count, issued))) return NonceCheck.Valid;
        }
    }

    private bool TryDecode(string nonce, out long issued)
    {
        issued = 0;
        if (nonce.Length != 43) return false;
        Span<byte> raw = stackalloc byte[32];
        var padded = nonce.Replace('-', '+').Replace('_', '/') + "=";
        if (!Convert.TryFromBase64String(padded, raw, out var n) || n != 32) return false;
        Span<byte> expected = stackalloc byte[16];
        Sign(raw[..16], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, raw[16..])) return false;
        issued = BinaryPrimitives.ReadInt64BigEndian(raw);
        return true;
    }

    private void Sign(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(_secret, data, full);
        full[..16].CopyTo(mac);
    }

    /// <summary>Forgets expired nonces at most once per lifetime/4, so the table stays bounded.</summary>
    private void Sweep(long now)
    {
        var next = Interlocked.Read(ref _nextSweepTicks);
        if (now < next || Interlocked.CompareExchange(ref _nextSweepTicks, now + _lifetime.Ticks / 4, next) != next) return;
        foreach (var (nonce, entry) in _used)
            if (now - entry.IssuedTicks > _lifetime.Ticks) _used.TryRemove(nonce, out _);
    }
}
