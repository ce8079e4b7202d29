using System.Globalization;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Redis;
using StackExchange.Redis;

namespace Hotline.AcdEngine.Liveness;

/// <summary>
/// Engines that watch each other through Redis (issue 19, docs/scaling.md). Every <c>Node:HeartbeatMilliseconds</c> this
/// engine renews its heartbeat (<c>hotline:node:&lt;Id&gt;</c>, time to live <c>Node:DeadAfterMilliseconds</c>), adds
/// itself to <c>hotline:nodes</c>, brings its open-call mirror up to date, and looks at the other engines: one whose
/// heartbeat has lapsed is dead, and <see cref="DeadNodeTakeover"/> closes its calls. Redis away → nothing of this
/// happens and every call goes on (logged once, and once when it is back); an engine is then closed by its own journal
/// when it restarts, as with one engine alone.
/// </summary>
public sealed partial class NodeWatch(NodeOptions options, IConnectionMultiplexer redis, OpenCallMirror mirror, DeadNodeTakeover takeover,
    IReadOnlyList<string> closedAtStart, Func<IEnumerable<string>> queueNames, TimeSpan lease, TimeProvider time, ILogger<NodeWatch> logger) : BackgroundService
{
    private bool _away;
    private bool _beating;
    private DateTimeOffset? _healthySince;
    private bool _startCleaned;

    /// <summary>Raised after each takeover (tests await it).</summary>
    public event Action<Takeover>? TookOver;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Heartbeat, time);
        try
        {
            do
            {
                await TickAsync();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
            // Stopping: the heartbeat lapses by itself. The calls are ended by the router's stop and leave the mirror
            // with their CallEnded; what is left when the others look is theirs to close.
        }
    }

    /// <summary>One heartbeat: renew, mirror, look at the others. Never throws for Redis.</summary>
    public async Task TickAsync()
    {
        if (!RedisConnection.MasterReachable(redis))
        {
            Away("not connected");
            return;
        }
        try
        {
            var db = redis.GetDatabase();
            var value = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
            if (!await db.StringSetAsync(DeadNodeTakeover.HeartbeatKey(options.Id), value, options.DeadAfter, When.Exists))
            {
                await db.StringSetAsync(DeadNodeTakeover.HeartbeatKey(options.Id), value, options.DeadAfter);
                // Lapsed while this engine ran (Redis unreachable or this process stalled): another engine may have
                // taken it for dead and closed its calls in TicketApi; its mirror is rewritten now.
                if (_beating) LogLapsed(logger, options.Id, options.DeadAfterMilliseconds);
                mirror.MarkStale();
                _healthySince = null;
            }
            _beating = true;
            _healthySince ??= time.GetUtcNow();
            await db.SetAddAsync(DeadNodeTakeover.NodesKey, options.Id);
            mirror.Sync();
            if (!_startCleaned) await CleanAfterRestartAsync();
            if (_away)
            {
                _away = false;
                LogBack(logger);
            }
            // Another engine is judged only once this one has written its own heartbeat without a break for a whole
            // Node:DeadAfterMilliseconds: after a Redis outage or a Sentinel failover (heartbeats not replicated yet, or
            // expired while no master answered) every engine needs that long to beat again, and a live engine's calls
            // must never be closed as ended by engine failure (seen in the whole-site test: a survivor closed the calls
            // of a live engine right after the failover, doubling their Abandoned and Ended in TicketApi).
            if (time.GetUtcNow() - _healthySince < options.DeadAfter) return;
            foreach (var other in await db.SetMembersAsync(DeadNodeTakeover.NodesKey))
            {
                var node = other.ToString();
                if (node == options.Id || await db.KeyExistsAsync(DeadNodeTakeover.HeartbeatKey(node))) continue;
                var lockFor = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(10).Ticks, 3 * options.DeadAfter.Ticks));
                if (await takeover.TryTakeOverAsync(node, lockFor) is not { } done) continue;
                LogTookOver(logger, node, options.DeadAfterMilliseconds, done.ClosedCalls.Count, done.Abandoned, done.RemovedFromLines.Count,
                    string.Join(", ", done.ClosedCalls));
                TookOver?.Invoke(done);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Away(ex.Message);
        }
    }

    /// <summary>The calls this engine's journal closed at start leave the shared lines (an earlier run put them there).</summary>
    private async Task CleanAfterRestartAsync()
    {
        if (closedAtStart.Count > 0)
        {
            var line = new SharedQueueLine(redis, options.Id, lease);
            foreach (var queue in queueNames())
                foreach (var call in closedAtStart)
                    await line.LeaveAsync(queue, call);
        }
        _startCleaned = true;
    }

    private void Away(string reason)
    {
        _healthySince = null;
        if (_away) return;
        _away = true;
        LogAway(logger, reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engine {Node} is dead (no heartbeat in Redis for {DeadAfterMs} ms): closed its {Calls} open calls as ended by engine failure ({Abandoned} callers put on the abandoned list), {Removed} callers taken out of the shared queue lines: {CallIds}")]
    private static partial void LogTookOver(ILogger logger, string node, int deadAfterMs, int calls, int abandoned, int removed, string callIds);

    [LoggerMessage(Level = LogLevel.Error, Message = "This engine's heartbeat ({Node}) had lapsed in Redis for more than {DeadAfterMs} ms: another engine may have closed its calls in TicketApi as ended by engine failure")]
    private static partial void LogLapsed(ILogger logger, string node, int deadAfterMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis is unavailable ({Reason}): engines cannot see each other; calls of an engine that dies meanwhile are closed when it restarts")]
    private static partial void LogAway(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is reachable again: this engine's heartbeat and open calls are shared again")]
    private static partial void LogBack(ILogger logger);
}
