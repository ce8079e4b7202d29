using Hotline.Contracts.V1;
using Hotline.TicketApi.WebConsole;

namespace Hotline.TicketApi.Tests.Console;

/// <summary>The wallboard's fan-out: a new browser gets the latest figures at once, then each later one; none is kept after it leaves.</summary>
[TestFixture]
public sealed class LiveFiguresTests
{
    [Test]
    public async Task A_new_watcher_gets_the_latest_message_then_every_later_one()
    {
        var figures = new LiveFigures();
        figures.Publish(LiveMessage.Up(new StatsSnapshot { NodeId = "n1" }));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var watch = figures.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);

        Assert.That(await watch.MoveNextAsync(), Is.True);
        Assert.That(watch.Current, Does.StartWith("{\"engine\":\"up\"").And.Contain("\"nodeId\": \"n1\""));
        figures.Publish(LiveMessage.Away(null, "AcdEngine unreachable"));
        Assert.That(await watch.MoveNextAsync(), Is.True);
        Assert.That(watch.Current, Is.EqualTo("{\"engine\":\"away\",\"reason\":\"AcdEngine unreachable\",\"snapshot\":null}"));
        Assert.That(figures.WatcherCount, Is.EqualTo(1));
    }

    [Test]
    public async Task A_stalled_watcher_keeps_only_the_newest_messages_and_is_dropped_when_it_leaves()
    {
        var figures = new LiveFigures();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var watch = figures.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.That(await watch.MoveNextAsync(), Is.True);   // the initial "not connected yet"
        for (uint i = 1; i <= 100; i++)
            figures.Publish(LiveMessage.Up(new StatsSnapshot { Queues = { new QueueStats { Queue = "q", Waiting = i } } }));

        var seen = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            Assert.That(await watch.MoveNextAsync(), Is.True);
            seen.Add(watch.Current);
        }
        Assert.That(seen[^1], Does.Contain("\"waiting\": 100"), "the newest figures are never dropped");
        Assert.That(seen[0], Does.Contain("\"waiting\": 97"), "a slow browser keeps at most 4, the oldest are dropped");
        await watch.DisposeAsync();
        Assert.That(figures.WatcherCount, Is.Zero);
    }

    [Test]
    public void Zero_figures_are_sent_not_omitted()
    {
        var json = LiveMessage.Up(new StatsSnapshot { Queues = { new QueueStats { Queue = "general", Waiting = 0 } } });
        Assert.That(json, Does.Contain("\"waiting\": 0"), "the wallboard must show 0, not a missing figure");
    }
}
