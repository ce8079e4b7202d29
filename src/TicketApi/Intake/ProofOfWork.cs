using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Hotline.TicketApi.Intake;

/// <summary>
/// A captcha-free abuse guard for the public web form: the server hands out a signed, timed challenge; the browser
/// finds a nonce such that SHA-256("challenge:nonce") starts with <c>bits</c> zero bits; each challenge is spent once.
/// Costs a person's browser a second or two per submission, and a flood that much per order.
/// </summary>
public sealed class ProofOfWork(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _spent = new(StringComparer.Ordinal);

    /// <summary>"expiryUnixSeconds.random.signature": nothing to store until it is spent.</summary>
    public string NewChallenge()
    {
        var body = $"{(time.GetUtcNow() + Lifetime).ToUnixTimeSeconds()}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}";
        return body + "." + Sign(body);
    }

    /// <summary>Null when the solution holds (and spends the challenge); otherwise why not.</summary>
    public string? Verify(string? challenge, string? nonce, int bits)
    {
        if (string.IsNullOrEmpty(challenge) || string.IsNullOrEmpty(nonce) || nonce.Length > 64) return "a challenge and its nonce are required (GET /api/public/challenge).";
        var dot = challenge.LastIndexOf('.');
        if (dot < 0) return "the challenge is not one of ours.";
        var body = challenge[..dot];
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(body)), Encoding.ASCII.GetBytes(challenge[(dot + 1)..])))
            return "the challenge is not one of ours.";
        var now = time.GetUtcNow();
        if (!long.TryParse(body.Split('.')[0], out var expiry) || DateTimeOffset.FromUnixTimeSeconds(expiry) < now) return "the challenge has expired; ask for a new one.";
        if (!LeadingZeroBitsAtLeast(SHA256.HashData(Encoding.UTF8.GetBytes(challenge + ":" + nonce)), bits)) return "the proof of work does not hold.";
        if (!_spent.TryAdd(challenge, DateTimeOffset.FromUnixTimeSeconds(expiry))) return "the challenge was already used; ask for a new one.";
        foreach (var (c, until) in _spent)
            if (until < now) _spent.TryRemove(c, out _);
        return null;
    }

    public static bool LeadingZeroBitsAtLeast(ReadOnlySpan<byte> hash, int bits)
    {
        for (var i = 0; bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
            if ((hash[i] & mask) != 0) return false;
        }
        return true;
    }

    private string Sign(string body) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(body)));
}
