using Hotline.AcdEngine.Redis;
using Hotline.Contracts.V1;
using StackExchange.Redis;

namespace Hotline.AcdEngine.Events;

/// <summary>
/// This engine's open calls, mirrored to Redis so that a surviving engine can close them if this one dies (issue 19,
/// docs/scaling.md): hash <c>hotline:open-calls:&lt;node&gt;</c>, field = call id, value = <see cref="OpenCallRecord.Format"/>.
/// Fed by every call event the outbox takes (<see cref="SqliteOutbox.CallAppended"/>, the same rules as the SQLite journal),
/// written fire-and-forget in order on one connection. While Redis is away the calls are kept in memory only; the next
/// <see cref="Sync"/> after it returns (and the first one after start, which also drops an earlier run's entries: that run's
/// calls were closed from the journal) rewrites the whole hash in one transaction.
/// </summary>
public sealed class OpenCallMirror : IDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly SqliteOutbox? _outbox;
    private readonly Dictionary<string, OpenCallRecord> _open = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _stale = true; // Redis does not have our view (start, or writes missed): Sync rewrites it.

    public OpenCallMirror(IConnectionMultiplexer redis, string node, SqliteOutbox? outbox)
    {
        _redis = redis;
        Node = node;
        _outbox = outbox;
        if (outbox is not null) outbox.CallAppended += Observe;
    }

    public string Node { get; }

    public static RedisKey Key(string node) => "hotline:open-calls:" + node;

    /// <summary>Calls open on this engine now.</summary>
    public int Count
    {
        get { lock (_gate) return _open.Count; }
    }

    /// <summary>Applies one call event (called under the outbox's lock, in order): one HSET or HDEL when the record changed.</summary>
    public void Observe(CallEvent e)
    {
        lock (_gate)
        {
            _open.TryGetValue(e.CallId, out var current);
            var next = OpenCallRecord.Apply(current, e);
            if (next == current) return;
            if (next is null) _open.Remove(e.CallId);
            else _open[e.CallId] = next;
            if (_stale || !RedisConnection.MasterReachable(_redis))
            {
                _stale = true;
                return;
            }
            try
            {
                // The async API even for fire-and-forget: the sync one may wait up to the sync timeout for the connection's
                // writer (seen as a 1 s stall of the whole engine when the Redis master died: this runs under the outbox's
                // lock, every call event waited behind it, and the thread pool starved; docs/scaling.md). Order holds: one
                // connection, its writes (or its backlog) in call order.
                var db = _redis.GetDatabase();
                if (next is null) _ = db.HashDeleteAsync(Key(Node), e.CallId, CommandFlags.FireAndForget);
                else _ = db.HashSetAsync(Key(Node), e.CallId, next.Format(), flags: CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                _stale = true;
            }
        }
    }

    /// <summary>
    /// Rewrites the whole hash when Redis missed writes (after start or an outage); true when Redis has this engine's
    /// view now. Called with each heartbeat.
    /// </summary>
    public bool Sync()
    {
        lock (_gate)
        {
            if (!RedisConnection.MasterReachable(_redis))
            {
                _stale = true;
                return false;
            }
            if (!_stale) return true;
            try
            {
                var tx = _redis.GetDatabase().CreateTransaction();
                _ = tx.KeyDeleteAsync(Key(Node));
                if (_open.Count > 0) _ = tx.HashSetAsync(Key(Node), [.. _open.Values.Select(r => new HashEntry(r.CallId, r.Format()))]);
                _ = tx.ExecuteAsync(CommandFlags.FireAndForget); // Queued before any later HSET on this connection: order holds.
                _stale = false;
                return true;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                return false;
            }
        }
    }

    /// <summary>Redis lost this engine's view (another engine took it for dead and deleted it): rewrite at the next sync.</summary>
    public void MarkStale()
    {
        lock (_gate) _stale = true;
    }

    public void Dispose()
    {
        if (_outbox is not null) _outbox.CallAppended -= Observe;
    }
}
