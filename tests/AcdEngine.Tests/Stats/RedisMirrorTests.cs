using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Stats;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Hotline.AcdEngine.Node;

namespace Hotline.AcdEngine.Tests.Stats;

/// <summary>Live figures and agent states in a real redis-server, and loud degradation when it goes away.</summary>
[TestFixture]
public sealed class RedisMirrorTests
{
    [Test]
    public async Task Stats_and_agent_states_are_written_to_redis_and_read_back_by_another_engine()
    {
        await using var redis = await RedisServer.StartAsync();
        using var acd = new AcdHarness();
        var logs = new ListLogger<RedisMirror>();
        await using var mirror = await RedisMirror.ConnectAsync(redis.ConnectionString, Options.Create(new NodeOptions { Id = "acd-test" }), logs);
        acd.Roster.Changed += mirror.WriteAgent;
        acd.Ready("a1");
        acd.Roster.SetNotReady("a1", "break");
        Assert.That(await mirror.WriteStatsAsync(acd.Stats.Snapshot()), Is.True);

        await using var other = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = other.GetDatabase();
        var json = (string?)await db.StringGetAsync("hotline:stats:acd-test");
        Assert.That(json, Does.Contain("\"queue\":\"general\""));
        // A second engine (another mirror on the same Redis) sees a1's state; fire-and-forget writes are ordered per connection.
        await using var second = await RedisMirror.ConnectAsync(redis.ConnectionString, Options.Create(new NodeOptions { Id = "acd-2" }), new ListLogger<RedisMirror>());
        await db.PingAsync();
        await mirror.WriteStatsAsync(acd.Stats.Snapshot()); // Round trip on the writer's connection: earlier writes are applied.
        var states = await second.ReadAgentsAsync(["a1", "a2"]);
        Assert.That(states, Is.EqualTo(new Dictionary<string, AgentState> { ["a1"] = AgentState.NotReady }));
        Assert.That((string?)await db.HashGetAsync("hotline:agent:a1", "reason"), Is.EqualTo("break"));
        Assert.That(mirror.Degraded, Is.False);
    }

    [Test]
    public async Task When_redis_goes_away_figures_stay_in_memory_and_it_is_logged_once_as_an_error()
    {
        var redis = await RedisServer.StartAsync();
        using var acd = new AcdHarness();
        var logs = new ListLogger<RedisMirror>();
        await using var mirror = await RedisMirror.ConnectAsync(redis.ConnectionString, Options.Create(new NodeOptions { Id = "acd-test" }), logs);
        Assert.That(await mirror.WriteStatsAsync(acd.Stats.Snapshot()), Is.True);

        await redis.DisposeAsync();
        var lost = await WaitForAsync(async () => !await mirror.WriteStatsAsync(acd.Stats.Snapshot()));
        Assert.That(lost, Is.True, "writes report failure once Redis is gone");
        acd.Ready("a1"); // The engine keeps working from memory.
        await mirror.WriteStatsAsync(acd.Stats.Snapshot());
        Assert.Multiple(() =>
        {
            Assert.That(mirror.Degraded, Is.True);
            Assert.That(acd.Stats.Snapshot().Agents.Single(a => a.AgentId == "a1").Status, Is.EqualTo(AgentState.Ready));
            Assert.That(logs.Entries.Count(e => e.Level == LogLevel.Error && e.Message.Contains("Redis is unavailable", StringComparison.Ordinal)), Is.EqualTo(1));
        });
    }

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition)
    {
        // Redis disconnection is noticed by the client library on its own schedule: poll the real connection.
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        for (var i = 0; i < 200; i++)
        {
            if (await condition()) return true;
            await timer.WaitForNextTickAsync();
        }
        return false;
    }
}

public sealed class ListLogger<T> : ILogger<T>
{
    private readonly List<(LogLevel Level, string Message)> _entries = [];
    private readonly List<(Func<(LogLevel Level, string Message), bool> Match, TaskCompletionSource<(LogLevel Level, string Message)> Seen)> _waiters = [];
    private readonly Lock _gate = new();

    /// <summary>The first entry (already logged or to come) that matches, or a TimeoutException.</summary>
    public Task<(LogLevel Level, string Message)> WaitForAsync(Func<(LogLevel Level, string Message), bool> match, TimeSpan timeout)
    {
        lock (_gate)
        {
            foreach (var e in _entries)
                if (match(e)) return Task.FromResult(e);
            var seen = new TaskCompletionSource<(LogLevel Level, string Message)>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, seen));
            return seen.Task.WaitAsync(timeout);
        }
    }

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get { lock (_gate) return _entries.ToList(); }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var entry = (logLevel, formatter(state, exception));
        lock (_gate)
        {
            _entries.Add(entry);
            foreach (var w in _waiters.Where(w => w.Match(entry)).ToList())
            {
                _waiters.Remove(w);
                w.Seen.TrySetResult(entry);
            }
        }
    }
}
