using System.Collections.Concurrent;
using Hotline.AcdEngine.Redis;
using StackExchange.Redis;

namespace Hotline.AcdEngine.Agents;

/// <summary>
/// Agent leases in Redis, shared by every engine on it (docs/scaling.md). Key <c>hotline:agent-lease:&lt;id&gt;</c> =
/// <c>&lt;node&gt;|&lt;callId&gt;</c>, taken atomically by a Lua script (free, or this node's own stale value); given back by a Lua compare-and-delete
/// (only the holder's value is deleted) that also publishes the agent on <c>hotline:agent-lease:freed</c> so the other
/// engines offer their waiting calls. Held leases are refreshed every third of <see cref="Lease"/>: an engine that
/// dies loses its agents' leases within <see cref="Lease"/>. Redis away → every lease is granted (one engine's
/// view, as without Redis), said loudly once; the refresh after it returns (or after a Sentinel failover that lost
/// recent writes) writes the leases this engine holds again.
/// </summary>
public sealed partial class RedisAgentLeases : IAgentLeases, IDisposable
{
    public const string FreedChannel = "hotline:agent-lease:freed";

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          redis.call('PUBLISH', ARGV[2], ARGV[3])
          return 1
        end
        return 0
        """;

    /// <summary>
    /// KEYS: lease. ARGV: value, this node's prefix, lease ms. Taken when free; adopted when it already holds this very
    /// value (the shared queue line's claim for this call, <c>Queues/SharedQueueLine</c>); taken over (2) when it holds
    /// another value of this node: a lease this engine gave back whose release was lost (a Redis failover drops the
    /// fire-and-forget commands on the old master's connection, or the old master died before its replica had the delete).
    /// The roster reserved the agent for this call before asking (<c>AgentRoster.TryLeaseAsync</c>), so no other call of
    /// this engine can be ringing or talking with them. Another node's value → 0.
    /// </summary>
    private const string AcquireScript = """
        local v = redis.call('GET', KEYS[1])
        if v == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
          return 1
        end
        if not v then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
          return 1
        end
        if string.sub(v, 1, string.len(ARGV[2])) == ARGV[2] then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
          return 2
        end
        return 0
        """;

    /// <summary>
    /// Renews a held lease; one missing from Redis (granted locally while no master was reachable, or lost with a master
    /// that failed over before its replica had it) is written again, so other engines see the agent busy. Another
    /// engine's lease on the agent is left alone (0).
    /// </summary>
    private const string RefreshScript = """
        local v = redis.call('GET', KEYS[1])
        if v == ARGV[1] then
          return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        if not v then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return 2
        end
        return 0
        """;

    /// <summary>Leases left by an earlier run of this node (a restart): its value starts with the node's prefix.</summary>
    private const string ForgetScript = """
        local v = redis.call('GET', KEYS[1])
        if v and string.sub(v, 1, string.len(ARGV[1])) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          redis.call('PUBLISH', ARGV[2], ARGV[3])
          return 1
        end
        return 0
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly string _node;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, string> _held = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _releasing = new(StringComparer.Ordinal); // Releases to send again.
    // Releases sent within the last lease period, with when: a master that fails over may die before its replica has
    // them (Redis replicates asynchronously), so they are sent again to the new master (ResendRecent).
    private readonly ConcurrentDictionary<string, (string Value, long At)> _recent = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly RedisMasterWatch _masterWatch;
    private readonly Lock _sendGate = new();
    private readonly ITimer _refresh;
    private int _degradedLogged;

    public RedisAgentLeases(IConnectionMultiplexer redis, string node, TimeSpan lease, TimeProvider time, ILogger logger)
    {
        _redis = redis;
        _node = node;
        _logger = logger;
        Lease = lease;
        _redis.GetSubscriber().Subscribe(RedisChannel.Literal(FreedChannel), (_, agentId) =>
        {
            // Off the subscription's thread: the handlers reserve agents (Redis calls of their own).
            if (!agentId.IsNullOrEmpty) ThreadPool.QueueUserWorkItem(id => Freed?.Invoke(id), agentId.ToString(), preferLocal: false);
        }, CommandFlags.FireAndForget); // Redis away at start: subscribed when it connects (the multiplexer re-subscribes).
        _time = time;
        _masterWatch = new RedisMasterWatch(redis, (was, now) =>
        {
            if (was is not null) ResendRecent(now);
        });
        _refresh = time.CreateTimer(_ => Refresh(), null, lease / 3, lease / 3);
    }

    /// <summary>
    /// A new master (a Sentinel failover): the releases of the last lease period are sent to it again. One the old
    /// master ran but died before its replica had it would otherwise keep every other engine from the agent (and the
    /// shared line from its claim) until the lease ran out. The compare-and-delete leaves a lease taken since alone.
    /// </summary>
    private void ResendRecent(string master)
    {
        ForgetOldReleases();
        var sent = 0;
        foreach (var (agentId, (value, _)) in _recent)
        {
            SendRelease(agentId, value);
            sent++;
        }
        if (sent > 0) LogReleasesResent(_logger, sent, master);
    }

    private void ForgetOldReleases()
    {
        foreach (var (agentId, entry) in _recent)
            if (_time.GetElapsedTime(entry.At) >= Lease) _recent.TryRemove(new KeyValuePair<string, (string, long)>(agentId, entry));
    }

    public TimeSpan Lease { get; }

    /// <summary>The leases' connection, shared with the queue line of the same Redis (<c>Queues/SharedQueueLine</c>).</summary>
    public IConnectionMultiplexer Connection => _redis;

    /// <summary>A multiplexer for leases; Redis away at start is not an error (leases are then granted locally).</summary>
    public static ConnectionMultiplexer Connect(string connectionString)
    {
        return ConnectionMultiplexer.Connect(RedisConnection.Options(connectionString));
    }

    public event Action<string>? Freed;

    public static RedisKey Key(string agentId) => "hotline:agent-lease:" + agentId;

    public async ValueTask<bool> TryAcquireAsync(string agentId, string callId)
    {
        var value = _node + "|" + callId;
        if (!RedisConnection.MasterReachable(_redis)) return Degraded(agentId, value);
        try
        {
            if (_held.TryGetValue(agentId, out var mine))
            {
                if (mine == value) return true; // Taken for this call already (an offer of the shared queue line).
                _held.TryRemove(agentId, out _); // A stale one of ours: the script below takes it over.
            }
            var taken = (int)await _redis.GetDatabase().ScriptEvaluateAsync(AcquireScript, [Key(agentId)],
                [value, _node + "|", (long)Lease.TotalMilliseconds]);
            if (taken == 0) return false;
            if (taken == 2) LogStaleTakenOver(_logger, agentId);
            _held[agentId] = value;
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException) // RedisTimeoutException is a TimeoutException
        {
            LogUnreachable(_logger, ex.Message);
            return Degraded(agentId, value);
        }
    }

    public async ValueTask<bool> IsHeldElsewhereAsync(string agentId)
    {
        if (!RedisConnection.MasterReachable(_redis) || _held.ContainsKey(agentId)) return false;
        try
        {
            return await _redis.GetDatabase().KeyExistsAsync(Key(agentId));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnreachable(_logger, ex.Message);
            return false;
        }
    }

    public void Release(string agentId)
    {
        lock (_sendGate) // After a refresh of this lease already sent, never before it (that refresh would write it again).
        {
            if (!_held.TryRemove(agentId, out var value)) return;
            if (!RedisConnection.MasterReachable(_redis)) _releasing[agentId] = value; // Given back once Redis is back.
            else SendRelease(agentId, value);
        }
    }

    /// <summary>
    /// The compare-and-delete. One that fails (the connection drops: a Redis outage, a Sentinel failover) is sent again
    /// by the next refresh, so the other engines are not kept from the agent until the lease expires.
    /// </summary>
    private void SendRelease(string agentId, string value)
    {
        _recent[agentId] = (value, _time.GetTimestamp());
        try
        {
            // The async API: the sync one may wait for the connection's writer, and this runs on call paths (docs/scaling.md).
            _redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [Key(agentId)], [value, FreedChannel, agentId])
                .ContinueWith(t =>
                {
                    LogReleaseFailed(_logger, agentId, t.Exception!.GetBaseException().Message); // Debug: one per agent in a failover.
                    _releasing.TryAdd(agentId, value);
                }, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnreachable(_logger, ex.Message);
            _releasing.TryAdd(agentId, value);
        }
    }

    /// <summary>At start: drops leases an earlier run of this node left behind (it cannot be ringing anyone yet).</summary>
    public Task ForgetEarlierRunAsync(IEnumerable<string> agentIds) => ForgetNodeAsync(_node, agentIds);

    /// <summary>
    /// Drops the leases <paramref name="node"/> holds (an earlier run of this engine, or an engine found dead: its calls
    /// are gone, so are its rings) and tells every engine the agents are free.
    /// </summary>
    public async Task ForgetNodeAsync(string node, IEnumerable<string> agentIds)
    {
        if (!RedisConnection.MasterReachable(_redis)) return;
        try
        {
            var db = _redis.GetDatabase();
            foreach (var id in agentIds)
                await db.ScriptEvaluateAsync(ForgetScript, [Key(id)], [node + "|", FreedChannel, id]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnreachable(_logger, ex.Message);
        }
    }

    private void Refresh()
    {
        ForgetOldReleases();
        _masterWatch.Check(); // Should the multiplexer's events about a failover have come before it knew the new master.
        if ((_held.IsEmpty && _releasing.IsEmpty) || !RedisConnection.MasterReachable(_redis)) return;
        var db = _redis.GetDatabase();
        foreach (var (agentId, value) in _releasing)
        {
            // Only that value is deleted: a lease taken again since (this engine's or another's) is left alone.
            if (_releasing.TryRemove(new KeyValuePair<string, string>(agentId, value))) SendRelease(agentId, value);
        }
        foreach (var (agentId, value) in _held)
        {
            lock (_sendGate)
            {
                // Given back since the loop read it: a refresh now would write the lease again after its release.
                if (!_held.TryGetValue(agentId, out var still) || still != value) continue;
                _ = db.ScriptEvaluateAsync(RefreshScript, [Key(agentId)], [value, (long)Lease.TotalMilliseconds], CommandFlags.FireAndForget);
            }
        }
    }

    private bool Degraded(string agentId, string value)
    {
        if (Interlocked.Exchange(ref _degradedLogged, 1) == 0) LogDegraded(_logger);
        _held[agentId] = value;
        return true;
    }

    public void Dispose()
    {
        _masterWatch.Dispose();
        _refresh.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis is unreachable: agent leases are granted locally; with several engines an agent may be offered two calls at once")]
    private static partial void LogDegraded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId}'s lease still held for an earlier call of this engine was taken over (its release was lost, e.g. in a Redis failover)")]
    private static partial void LogStaleTakenOver(ILogger logger, string agentId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis has a new master ({Master}): {Count} agent lease releases of the last lease period sent to it again, in case the old master died before its replica had them")]
    private static partial void LogReleasesResent(ILogger logger, int count, string master);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Release of agent {AgentId}'s lease failed, sent again by the next refresh: {Error}")]
    private static partial void LogReleaseFailed(ILogger logger, string agentId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent lease in Redis failed: {Error}")]
    private static partial void LogUnreachable(ILogger logger, string error);
}
