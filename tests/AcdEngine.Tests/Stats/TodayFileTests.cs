using Hotline.AcdEngine.Stats;
using Hotline.AcdEngine.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.AcdEngine.Tests.Stats;

/// <summary>The wallboard's "today" survives an engine restart (issue 20), and only on the same local day.</summary>
[TestFixture]
public sealed class TodayFileTests
{
    private string _path = "";

    [SetUp]
    public void SetUp() => _path = Path.Combine(Path.GetTempPath(), "hotline-today-" + Guid.NewGuid().ToString("N") + ".json");

    [TearDown]
    public void TearDown() => File.Delete(_path);

    [Test]
    public void Counters_saved_before_a_restart_are_today_again_after_it()
    {
        using (var before = new AcdHarness())
        {
            for (var i = 0; i < 3; i++) before.Stats.CountOffered("general");
            before.Stats.CountAnswered("general", TimeSpan.FromSeconds(4), withinServiceLevel: true);
            before.Stats.CountAnswered("general", TimeSpan.FromSeconds(20), withinServiceLevel: false);
            before.Stats.CountAbandoned("general");
            new TodayFile(_path, NullLogger<TodayFile>.Instance).Save(before.Stats.ExportToday());
        }

        using var after = new AcdHarness();
        var saved = new TodayFile(_path, NullLogger<TodayFile>.Instance).Load();
        Assert.That(after.Stats.RestoreToday(saved!), Is.True);
        var q = after.Stats.Snapshot().Queues.Single(x => x.Queue == "general");
        Assert.That((q.OfferedToday, q.AnsweredToday, q.AbandonedToday, q.ServiceLevelToday, q.AverageSpeedOfAnswerMs),
            Is.EqualTo((3, 2, 1, 0.5, 12_000L)), "offered 3 stays 3, service level 50 % stays 50 %");
    }

    [Test]
    public void Yesterdays_counters_are_not_restored()
    {
        using var before = new AcdHarness();
        before.Stats.CountOffered("general");
        new TodayFile(_path, NullLogger<TodayFile>.Instance).Save(before.Stats.ExportToday());
        using var after = new AcdHarness();
        after.Time.Advance(TimeSpan.FromDays(1));
        Assert.That(after.Stats.RestoreToday(new TodayFile(_path, NullLogger<TodayFile>.Instance).Load()!), Is.False);
        Assert.That(after.Stats.Snapshot().Queues.Single(x => x.Queue == "general").OfferedToday, Is.Zero);
    }
}
