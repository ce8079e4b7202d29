using System.Globalization;
using System.Text.Json;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Hotline.AcdEngine.Node;

namespace Hotline.AcdEngine.Stats;

/// <summary>
/// Mirrors live figures and agent states to Redis (ARCHITECTURE.md: so a restarted engine or a second one sees the
/// same). Keys: <c>hotline:stats:&lt;node&gt;</c> (JSON snapshot), <c>hotline:agent:&lt;id&gt;</c> (hash).
/// When Redis is away the engine keeps working from memory and says so loudly, once, until Redis is back.
/// </summary>
public sealed partial class RedisMirror : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConnectionMultiplexer _redis;
    private readonly ILogger<RedisMirror> _logger;
    private readonly string _node;
    private readonly Lock _gate = new();
    private bool _degraded;

    private RedisMirror(ConnectionMultiplexer redis, string node, ILogger<RedisMirror> logger)
    {
        _redis = redis;
        _node = node;
        _logger = logger;
    }

    /// <summary>True while Redis is unreachable and figures live only in memory.</summary>
    public bool Degraded
    {
        get { lock (_gate) return _degraded; }
    }

    public static async Task<RedisMirror> ConnectAsync(string connectionString, IOptions<NodeOptions> node, ILogger<RedisMirror> logger)
    {
        var options = RedisConnection.Options(connectionString);
        using var connectLog = new StringWriter();
        var redis = await ConnectionMultiplexer.ConnectAsync(options, connectLog);
        var mirror = new RedisMirror(redis, node.Value.Id, logger);
        RedisConnection.WatchMaster(redis, options, logger);
        RedisConnection.WatchAuthentication(redis, logger, connectLog.ToString());
        if (!RedisConnection.MasterReachable(redis)) mirror.MarkDegraded("not connected at start");
        return mirror;
    }

    public static string AgentKey(string agentId) => "hotline:agent:" + agentId;

    public string StatsKey => "hotline:stats:" + _node;

    /// <summary>Writes one agent's state (fire-and-forget: called under the roster's lock).</summary>
    public void WriteAgent(AgentTransition t)
    {
        // Only changes made here: one restored from Redis or made on another engine is there already.
        if (t.Origin != TransitionOrigin.Local || !Usable()) return;
        // The async API: the sync one may wait for the connection's writer under the roster's lock (docs/scaling.md).
        _ = _redis.GetDatabase().HashSetAsync(AgentKey(t.AgentId),
        [
            new("status", t.To.ToString()),
            new("reason", t.Reason),
            new("since", t.At.ToString("O", CultureInfo.InvariantCulture)),
            new("call", t.CallId ?? ""),
            new("node", _node),
        ], CommandFlags.FireAndForget);
    }

    /// <summary>Reads the stored states of the given agents (for a restart or a second engine); empty when Redis is away.</summary>
    public async Task<IReadOnlyDictionary<string, AgentState>> ReadAgentsAsync(IEnumerable<string> agentIds)
    {
        var result = new Dictionary<string, AgentState>(StringComparer.Ordinal);
        if (!Usable()) return result;
        try
        {
            var db = _redis.GetDatabase();
            foreach (var id in agentIds)
            {
                var status = await db.HashGetAsync(AgentKey(id), "status");
                if (status.HasValue && Enum.TryParse<AgentState>(status.ToString(), out var state)) result[id] = state;
            }
        }
        catch (RedisException ex)
        {
            MarkDegraded(ex.Message);
        }
        return result;
    }

    /// <summary>Reads the stored state and reason of the given agents (a start); empty when Redis is away.</summary>
    public async Task<IReadOnlyDictionary<string, (AgentState State, string Reason)>> ReadAgentStatesAsync(IEnumerable<string> agentIds)
    {
        var result = new Dictionary<string, (AgentState, string)>(StringComparer.Ordinal);
        if (!Usable()) return result;
        try
        {
            var db = _redis.GetDatabase();
            foreach (var id in agentIds)
            {
                var fields = await db.HashGetAsync(AgentKey(id), ["status", "reason"]);
                if (fields[0].HasValue && Enum.TryParse<AgentState>(fields[0].ToString(), out var state)) result[id] = (state, fields[1].ToString());
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            MarkDegraded(ex.Message);
        }
        return result;
    }

    /// <summary>
    /// The snapshots of the other engines that beat (<c>hotline:nodes</c>, docs/scaling.md) written within
    /// <paramref name="fresh"/> of <paramref name="now"/>: a dead engine's last figures drop out within that time.
    /// Empty when Redis is away or this engine is alone.
    /// </summary>
    public async Task<IReadOnlyList<StatsView>> ReadOtherNodesAsync(DateTimeOffset now, TimeSpan fresh)
    {
        if (!RedisConnection.MasterReachable(_redis)) return [];
        try
        {
            var db = _redis.GetDatabase();
            var nodes = (await db.SetMembersAsync(NodesKey)).Select(n => n.ToString()).Where(n => n != _node).ToList();
            if (nodes.Count == 0) return [];
            var values = await db.StringGetAsync([.. nodes.Select(n => (RedisKey)("hotline:stats:" + n))]);
            var views = new List<StatsView>(nodes.Count);
            foreach (var v in values)
            {
                if (v.IsNullOrEmpty) continue;
                var view = JsonSerializer.Deserialize<StatsView>(v.ToString(), Json);
                if (view is not null && now - view.At <= fresh) views.Add(view);
            }
            return views;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or JsonException)
        {
            return [];
        }
    }

    /// <summary>The engines that beat (Liveness.NodeWatch adds this engine to it with every heartbeat).</summary>
    public const string NodesKey = "hotline:nodes";

    /// <summary>Writes the snapshot; returns false (and logs once) when Redis is away.</summary>
    public async Task<bool> WriteStatsAsync(StatsView view)
    {
        if (!Usable()) return false;
        try
        {
            await _redis.GetDatabase().StringSetAsync(StatsKey, JsonSerializer.Serialize(view, Json), TimeSpan.FromMinutes(1));
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            MarkDegraded(ex.Message);
            return false;
        }
    }

    private bool Usable()
    {
        if (RedisConnection.MasterReachable(_redis))
        {
            lock (_gate)
            {
                if (_degraded)
                {
                    _degraded = false;
                    LogBack(_logger);
                }
            }
            return true;
        }
        MarkDegraded("connection lost");
        return false;
    }

    private void MarkDegraded(string reason)
    {
        lock (_gate)
        {
            if (_degraded) return;
            _degraded = true;
        }
        LogAway(_logger, reason);
    }

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis is unavailable ({Reason}): live figures and agent states are kept in memory only until it returns")]
    private static partial void LogAway(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is reachable again: live figures and agent states are mirrored again")]
    private static partial void LogBack(ILogger logger);
}
