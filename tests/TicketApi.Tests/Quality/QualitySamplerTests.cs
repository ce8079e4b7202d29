using System.Security.Cryptography;
using System.Text;
using Hotline.TicketApi.Quality;

namespace Hotline.TicketApi.Tests.Quality;

/// <summary>
/// The sampler ranks by digest words instead of hex strings (issue 17, the sample's cost at 1 M calls): the samples it
/// draws must be exactly the first version's, so a month already drawn and scored keeps its sample.
/// </summary>
[TestFixture]
public sealed class QualitySamplerTests
{
    /// <summary>The first version, verbatim: rank = upper-case hex of SHA-256, ordinal order, then the call id.</summary>
    private static List<string> Reference(IEnumerable<string> ids, string month, string agentId, int draw, int size) =>
        [.. ids.Distinct(StringComparer.Ordinal)
            .Select(id => (Id: id, Rank: Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"hotline-quality|{month}|{agentId}|{draw}|{id}")))))
            .OrderBy(c => c.Rank, StringComparer.Ordinal).ThenBy(c => c.Id, StringComparer.Ordinal)
            .Take(size).Select(c => c.Id)];

    [TestCase("2026-11", "a7", 1, 30)]
    [TestCase("2026-12", "a42", 3, 30)]
    [TestCase("2026-11", "a7", 1, 5000)]
    public void Draws_exactly_the_same_sample_as_the_first_version(string month, string agentId, int draw, int size)
    {
        var random = new Random(17);
        // Ids as the engine makes them and as seeded ones, duplicates, non-ASCII and one longer than the stack buffer.
        var ids = Enumerable.Range(0, 4000).Select(i => i % 3 == 0 ? Guid.NewGuid().ToString("N") : $"m-{random.Next(720)}-{random.Next(1400)}")
            .Append("m-1-1").Append("m-1-1").Append("通话-1").Append(new string('x', 700)).ToList();
        Assert.That(QualitySampler.Pick(ids, month, agentId, draw, size), Is.EqualTo(Reference(ids, month, agentId, draw, size)));
    }
}
