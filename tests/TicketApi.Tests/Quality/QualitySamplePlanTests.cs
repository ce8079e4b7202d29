using Hotline.TicketApi.Quality;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.Quality;

/// <summary>
/// The quality sample's read at a month of 1 M calls (issue 17; docs/benchmarks.md): SQLite must answer it from the
/// partial index <c>IX_Calls_QualitySample</c>, whose filter matches the query term for term — a change to either that
/// breaks the match makes SQLite fall back to fetching ~10,000 scattered rows per agent (~100–450 ms instead of ~20 ms).
/// </summary>
[TestFixture]
public sealed class QualitySamplePlanTests
{
    [Test]
    public async Task The_sample_reads_an_agents_month_from_the_quality_index_alone()
    {
        using var store = new TestStore();
        await using var db = store.Create();
        await QualityCalls.AddAsync(db, "a1", Local(2026, 11, 3, 9), 50, shuffleSeed: 1);
        await QualityCalls.AddAsync(db, "a2", Local(2026, 11, 3, 9), 50, shuffleSeed: 2);
        var review = new QualityReview(db, Fixtures.Calendar, Options.Create(new QualityOptions()), new FakeTimeProvider());
        var (from, to) = review.MonthBounds("2026-11")!.Value;
        var query = review.SampleSource(from, to, "a1");

        var plan = await RowsAsync(query, "EXPLAIN QUERY PLAN ", r => r.GetString(3));
        Assert.That(plan, Has.Exactly(1).Items.Contains("USING INDEX IX_Calls_QualitySample"),
            "the plan: " + string.Join("; ", plan) + "\nthe query: " + query.ToQueryString());
        // And the table itself is never read: every column the query returns is in the index and the filter's terms are
        // implied by the partial index, so SQLite's seek into the table stays deferred (no Column read on its cursor).
        var program = await RowsAsync(query, "EXPLAIN ", r => (Op: r.GetString(1), P1: r.GetInt32(2), P4: r.IsDBNull(5) ? "" : r.GetValue(5).ToString()!));
        var tableCursors = program.Where(o => o.Op == "OpenRead" && !o.P4.StartsWith("k(", StringComparison.Ordinal)).Select(o => o.P1).ToList();
        Assert.That(program.Where(o => o.Op == "Column" && tableCursors.Contains(o.P1)), Is.Empty,
            "reads of the Calls table itself: " + string.Join("; ", program.Select(o => $"{o.Op} {o.P1} {o.P4}")));
        Assert.That(await query.CountAsync(), Is.EqualTo(50));
    }

    private static async Task<List<T>> RowsAsync<T>(IQueryable<string> query, string prefix, Func<System.Data.Common.DbDataReader, T> read)
    {
        await using var command = query.CreateDbCommand();
        command.CommandText = prefix + command.CommandText;
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(read(reader));
        return rows;
    }
}
