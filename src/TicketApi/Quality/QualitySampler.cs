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
    public static IReadOnlyList<string> Pick(IEnumerable<string> callIds, string month, string agentId, int draw, int size) =>
        [.. callIds.Distinct(StringComparer.Ordinal)
            .Select(id => (Id: id, Rank: Rank(month, agentId, draw, id)))
            .OrderBy(c => c.Rank, StringComparer.Ordinal).ThenBy(c => c.Id, StringComparer.Ordinal)
            .Take(size).Select(c => c.Id)];

    private static string Rank(string month, string agentId, int draw, string callId) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"hotline-quality|{month}|{agentId}|{draw}|{callId}")));
}
