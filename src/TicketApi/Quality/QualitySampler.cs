using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Hotline.TicketApi.Quality;

/// <summary>
/// Picks a month's sample of an agent's recorded calls: random, but the same every time for the same month, agent and
/// draw number. Each call is ranked by SHA-256 of (month, agent, draw, call id) and the lowest ranks are taken, so the
/// result does not depend on the order the store returns the calls in, on the machine, or on the .NET version, and a
/// call that arrives late joins only if it outranks one already drawn (the sample of a finished month never changes).
/// </summary>
public static class QualitySampler
{
    /// <summary>The longest call id hashed without renting a buffer (ids are at most 64 characters, TicketDbContext).</summary>
    private const int StackBytes = 512;

    /// <summary>
    /// A rank is the digest as four big-endian words: comparing them in order is comparing the digest byte by byte, i.e.
    /// exactly the ordinal order of its upper-case hex (the first version's rank), without a hex string per call. At 1 M
    /// calls a month an agent has ~10,000 calls to rank on every read of the sample (docs/benchmarks.md).
    /// </summary>
    private readonly record struct Ranked(ulong W0, ulong W1, ulong W2, ulong W3, string Id) : IComparable<Ranked>
    {
        public int CompareTo(Ranked other)
        {
            var c = W0.CompareTo(other.W0);
            if (c == 0) c = W1.CompareTo(other.W1);
            if (c == 0) c = W2.CompareTo(other.W2);
            if (c == 0) c = W3.CompareTo(other.W3);
            return c != 0 ? c : string.CompareOrdinal(Id, other.Id);
        }
    }

    public static IReadOnlyList<string> Pick(IEnumerable<string> callIds, string month, string agentId, int draw, int size)
    {
        var prefix = Encoding.UTF8.GetBytes($"hotline-quality|{month}|{agentId}|{draw}|");
        var ranked = new List<Ranked>();
        Span<byte> digest = stackalloc byte[32];
        // One hash object for every call: the one-shot SHA256.HashData sets up a native digest context per call, which
        // cost ~5–25 µs each here (OpenSSL), i.e. most of the sample's time at 10,000 calls.
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> stack = stackalloc byte[StackBytes];
        foreach (var id in callIds.Distinct(StringComparer.Ordinal))
        {
            var length = prefix.Length + Encoding.UTF8.GetByteCount(id);
            var input = length <= StackBytes ? stack[..length] : new byte[length];
            prefix.CopyTo(input);
            Encoding.UTF8.GetBytes(id, input[prefix.Length..]);
            sha.AppendData(input);
            sha.GetHashAndReset(digest);
            ranked.Add(new Ranked(BinaryPrimitives.ReadUInt64BigEndian(digest), BinaryPrimitives.ReadUInt64BigEndian(digest[8..]),
                BinaryPrimitives.ReadUInt64BigEndian(digest[16..]), BinaryPrimitives.ReadUInt64BigEndian(digest[24..]), id));
        }
        ranked.Sort();
        return [.. ranked.Take(size).Select(r => r.Id)];
    }
}
