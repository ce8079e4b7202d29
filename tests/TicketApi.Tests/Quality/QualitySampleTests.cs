using Hotline.TicketApi.Data;
using Hotline.TicketApi.Metrics;
using Hotline.TicketApi.Quality;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.Quality;

/// <summary>
/// Issue 17 (DOMAIN.md: quality review samples 30 recordings per agent per month): the sample is random but the same for
/// the same month, agent and draw, drawn only from the agent's recorded calls of that local month; scores keep who and
/// when, a re-score retires the earlier one, and the figures count the current score per agent. Real SQLite and PostgreSQL, migrated.
/// </summary>
[TestFixture(StoreKind.Sqlite)]
[TestFixture(StoreKind.PostgreSql)]
public sealed class QualitySampleTests(StoreKind kind)
{
    private TestStore _store = null!;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(Local(2026, 12, 2, 10), TimeSpan.Zero));

    [SetUp] public void SetUp() => _store = new TestStore(kind);
    [TearDown] public void TearDown() => _store.Dispose();

    private QualityReview Review(TicketDbContext db, int size = 30) =>
        new(db, Fixtures.Calendar, Options.Create(new QualityOptions { SampleSize = size }), _time);

    [Test]
    public async Task The_same_month_gives_the_same_sample_whatever_order_the_calls_were_stored_in()
    {
        // Two stores with the same 100 calls of a1 in November, inserted in different orders.
        using var other = new TestStore(kind);
        await using (var db = _store.Create()) await QualityCalls.AddAsync(db, "a1", Local(2026, 11, 3, 9), 100, shuffleSeed: 1);
        await using (var db = other.Create()) await QualityCalls.AddAsync(db, "a1", Local(2026, 11, 3, 9), 100, shuffleSeed: 2);

        await using var one = _store.Create();
        await using var two = other.Create();
        var first = await Review(one).SampleAsync("2026-11", "a1", CancellationToken.None);
        var again = await Review(one).SampleAsync("2026-11", "a1", CancellationToken.None);
        var elsewhere = await Review(two).SampleAsync("2026-11", "a1", CancellationToken.None);

        var ids = first.Calls.Select(c => c.CallId).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.Count.EqualTo(30), "30 per agent per month (DOMAIN.md)");
            Assert.That(ids, Is.Unique);
            Assert.That(first.RecordedCalls, Is.EqualTo(100));
            Assert.That(first.Draw, Is.EqualTo(1));
            Assert.That(again.Calls.Select(c => c.CallId), Is.EqualTo(ids), "asking again gives the same sample");
            Assert.That(elsewhere.Calls.Select(c => c.CallId), Is.EquivalentTo(ids), "another store with the same calls gives the same sample");
            // Random, not the first or last 30 stored or offered.
            Assert.That(ids.Order(), Is.Not.EqualTo(Enumerable.Range(0, 30).Select(i => $"a1-{i:D4}")));
            Assert.That(ids.Order(), Is.Not.EqualTo(Enumerable.Range(70, 30).Select(i => $"a1-{i:D4}")));
        });
    }

    [Test]
    public async Task Only_the_agents_recorded_answered_calls_of_that_local_month_are_drawn()
    {
        await using (var db = _store.Create())
        {
            await QualityCalls.AddAsync(db, "a1", Local(2026, 11, 10, 9), 5, shuffleSeed: 3);
            await QualityCalls.AddAsync(db, "a2", Local(2026, 11, 10, 9), 5, shuffleSeed: 3);
            db.Calls.Add(QualityCalls.Answered("a1-unrecorded", "a1", Local(2026, 11, 11, 9), recording: null));
            // 00:30 on 1 December in Beijing is still 30 November in UTC: it belongs to December (the hotline's month).
            db.Calls.Add(QualityCalls.Answered("a1-december", "a1", Local(2026, 12, 1, 0, 30)));
            db.Calls.Add(QualityCalls.Answered("a1-october", "a1", Local(2026, 10, 31, 23, 30)));
            await db.SaveChangesAsync();
        }
        await using var read = _store.Create();
        var sample = await Review(read).SampleAsync("2026-11", "a1", CancellationToken.None);
        Assert.That(sample.Calls.Select(c => c.CallId), Is.EquivalentTo(Enumerable.Range(0, 5).Select(i => $"a1-{i:D4}")));
        var december = await Review(read).SampleAsync("2026-12", "a1", CancellationToken.None);
        Assert.That(december.Calls.Select(c => c.CallId), Is.EqualTo(new[] { "a1-december" }));
    }

    [Test]
    public async Task A_redraw_on_request_gives_another_sample_that_then_stays_and_keeps_who_drew_it()
    {
        await using (var db = _store.Create()) await QualityCalls.AddAsync(db, "a1", Local(2026, 11, 3, 9), 200, shuffleSeed: 4);
        await using var read = _store.Create();
        var first = await Review(read).SampleAsync("2026-11", "a1", CancellationToken.None);
        var redrawn = await Review(read).RedrawAsync("2026-11", "a1", "sup1", CancellationToken.None);
        var after = await Review(read).SampleAsync("2026-11", "a1", CancellationToken.None);
        Assert.Multiple(async () =>
        {
            Assert.That(redrawn.Draw, Is.EqualTo(2));
            Assert.That(redrawn.Calls.Select(c => c.CallId), Is.Not.EquivalentTo(first.Calls.Select(c => c.CallId)));
            Assert.That(after.Calls.Select(c => c.CallId), Is.EqualTo(redrawn.Calls.Select(c => c.CallId)), "the new draw stays until the next request");
            var draw = await read.QualityDraws.SingleAsync();
            Assert.That((draw.DrawnBy, draw.Draw, draw.DrawnAt), Is.EqualTo(("sup1", 2, _time.GetUtcNow().UtcDateTime)));
        });
    }

    [Test]
    public async Task The_sample_size_is_configurable()
    {
        await using (var db = _store.Create()) await QualityCalls.AddAsync(db, "a1", Local(2026, 11, 3, 9), 40, shuffleSeed: 5);
        await using var read = _store.Create();
        var sample = await Review(read, size: 12).SampleAsync("2026-11", "a1", CancellationToken.None);
        Assert.That(sample.Calls, Has.Count.EqualTo(12));
        Assert.That(sample.Size, Is.EqualTo(12));
    }

    [Test]
    public async Task A_rescore_keeps_the_earlier_one_on_record_and_the_figures_count_the_current_score_per_agent()
    {
        await using (var db = _store.Create())
        {
            await QualityCalls.AddAsync(db, "a1", Local(2026, 11, 3, 9), 3, shuffleSeed: 6);
            await QualityCalls.AddAsync(db, "a2", Local(2026, 11, 3, 9), 1, shuffleSeed: 6);
        }
        await using (var db = _store.Create())
        {
            var review = Review(db);
            var call = (await review.ScorableCallAsync("a1-0000", CancellationToken.None))!;
            await review.ScoreAsync(call, 10, 10, 10, 10, "first listen", "sup1", "supervisor", CancellationToken.None);   // 40
            _time.Advance(TimeSpan.FromMinutes(5));
            await review.ScoreAsync(call, 25, 20, 20, 15, "second listen", "sup2", "supervisor", CancellationToken.None);  // 80
            await review.ScoreAsync((await review.ScorableCallAsync("a1-0001", CancellationToken.None))!, 25, 25, 25, 25, null, "sup1", "supervisor", CancellationToken.None);
            await review.ScoreAsync((await review.ScorableCallAsync("a2-0000", CancellationToken.None))!, 15, 15, 15, 15, null, "sup1", "supervisor", CancellationToken.None);
        }
        await using var read = _store.Create();
        var history = await Review(read).HistoryAsync("a1-0000", CancellationToken.None);
        Assert.That(history.Select(h => (h.Total, h.ScoredBy, h.Current, h.Comment)),
            Is.EqualTo(new[] { (80, "sup2", true, "second listen"), (40, "sup1", false, "first listen") }));
        Assert.That(history[0].ScoredAt - history[1].ScoredAt, Is.EqualTo(TimeSpan.FromMinutes(5)));

        var a1 = await Review(read).ScoresAsync("2026-11", "a1", CancellationToken.None);
        Assert.That((a1.Scored, a1.MeanScore, a1.AssessmentPoints), Is.EqualTo((2, 90.0, 35)));

        var report = await new MetricsQuery(read, Fixtures.Calendar, _time).RunAsync(Local(2026, 11, 1), Local(2026, 12, 1), MetricsGrouping.Agent, CancellationToken.None);
        var byAgent = report.Groups.ToDictionary(g => g.Key);
        Assert.Multiple(() =>
        {
            Assert.That((byAgent["a1"].QualityScored, byAgent["a1"].QualityScore), Is.EqualTo((2L, (double?)90.0)));
            Assert.That((byAgent["a2"].QualityScored, byAgent["a2"].QualityScore), Is.EqualTo((1L, (double?)60.0)));
            Assert.That((report.Total.QualityScored, report.Total.QualityScore), Is.EqualTo((3L, (double?)80.0)));
        });
        var csv = MonthlyReportCsv.Write(report);
        Assert.That(csv.Split('\n')[0], Does.EndWith("qualityScored,qualityScore"));
        Assert.That(csv, Does.Contain("\na1,").And.Contain(",2,90\n"));
        var ungrouped = await new MetricsQuery(read, Fixtures.Calendar, _time).RunAsync(Local(2026, 11, 1), Local(2026, 12, 1), MetricsGrouping.None, CancellationToken.None);
        Assert.That((ungrouped.Total.QualityScored, ungrouped.Total.QualityScore), Is.EqualTo((3L, (double?)80.0)));
    }

    [TestCase(-1, 0, 0, 0, "greeting")]
    [TestCase(0, 26, 0, 0, "attitude")]
    [TestCase(0, 0, 100, 0, "accuracy")]
    [TestCase(0, 0, 0, -5, "holdUsage")]
    public void A_criterion_outside_0_to_25_is_refused_naming_it(int greeting, int attitude, int accuracy, int hold, string field)
    {
        var ex = Assert.Throws<QualityRuleException>(() => QualityScore.Create("c", "a1", Local(2026, 11, 3), greeting, attitude, accuracy, hold,
            null, "sup1", "supervisor", Local(2026, 11, 4)));
        Assert.That(ex!.Field, Is.EqualTo(field));
    }

    [TestCase(59.9, 0)]
    [TestCase(60, 5)]
    [TestCase(64.9, 5)]
    [TestCase(65, 10)]
    [TestCase(90, 35)]
    [TestCase(94.9, 35)]
    [TestCase(95, 40)]
    [TestCase(100, 40)]
    public void The_monthly_assessment_points_follow_the_seed_bands(double mean, int points) =>
        Assert.That(QualityCriteria.AssessmentPoints(mean), Is.EqualTo(points));
}
