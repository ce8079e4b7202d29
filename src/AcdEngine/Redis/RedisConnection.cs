using StackExchange.Redis;

namespace Hotline.AcdEngine.Redis;

/// <summary>
/// <c>ConnectionStrings:Redis</c> turned into a multiplexer, one way for every user (agent leases, the live-figure
/// mirror). Either Redis servers (<c>host:port,…</c>) or Redis Sentinels with the master's name
/// (<c>sentinel1:26379,sentinel2:26379,sentinel3:26379,serviceName=hotline</c>): StackExchange.Redis then asks the
/// Sentinels for the master and follows a failover (Sentinel's <c>+switch-master</c>) by itself. Redis away at start
/// is not an error: the engine works from memory and says so (docs/scaling.md).
/// </summary>
public static partial class RedisConnection
{
    /// <summary>
    /// A command waits at most this long unless the connection string says otherwise (<c>asyncTimeout</c>): during
    /// a failover a lease asked for a ringing call must not hold the call up for the client's default 5 s; after it
    /// the lease is granted locally (as with Redis away) and the call goes on.
    /// </summary>
    public const int DefaultCommandTimeoutMs = 1000;

    public static ConfigurationOptions Options(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        if (!connectionString.Contains("asyncTimeout", StringComparison.OrdinalIgnoreCase)) options.AsyncTimeout = DefaultCommandTimeoutMs;
        if (!connectionString.Contains("syncTimeout", StringComparison.OrdinalIgnoreCase)) options.SyncTimeout = DefaultCommandTimeoutMs;
        return options;
    }

    /// <summary>True when the connection string names Sentinels (a <c>serviceName</c>), not Redis servers.</summary>
    public static bool IsSentinel(ConfigurationOptions options) => !string.IsNullOrEmpty(options.ServiceName);

    /// <summary>
    /// Logs, once per change, which server is the master: a Sentinel failover is a Warning naming the old and the
    /// new master (the multiplexer reports a failover as several configuration changes; only a new master is news).
    /// </summary>
    public static void WatchMaster(IConnectionMultiplexer redis, ConfigurationOptions options, ILogger logger)
    {
        if (!IsSentinel(options)) return;
        var watch = new RedisMasterWatch(redis, (was, now) =>
        {
            if (was is null) LogMaster(logger, options.ServiceName!, now);
            else LogFailover(logger, options.ServiceName!, was, now);
        });
        if (watch.Master is { } master) LogMaster(logger, options.ServiceName!, master);
    }

    /// <summary>
    /// Logs as an Error, once until a connection is made again, that Redis refused the connection string's credentials
    /// (a wrong or missing <c>password=</c>): the engine goes on from memory as with Redis away, but an operator must
    /// hear why. The multiplexer retries on its own and reports each refusal; only the first of a run is news.
    /// </summary>
    public static void WatchAuthentication(IConnectionMultiplexer redis, ILogger logger, string connectLog)
    {
        var refused = 0;
        redis.ConnectionFailed += (_, e) =>
        {
            if (e.FailureType == ConnectionFailureType.AuthenticationFailure && Interlocked.Exchange(ref refused, 1) == 0)
                LogRefused(logger, e.EndPoint?.ToString() ?? "?");
        };
        redis.ConnectionRestored += (_, _) => Interlocked.Exchange(ref refused, 0);
        // A refusal during the first connection happened before the handler existed; the client library reports it
        // only in the log it writes while connecting ("… (Interactive, AuthenticationFailure) …").
        if (connectLog.Contains(nameof(ConnectionFailureType.AuthenticationFailure), StringComparison.Ordinal) &&
            Interlocked.Exchange(ref refused, 1) == 0)
            LogRefused(logger, string.Join(", ", redis.GetEndPoints().Select(p => p.ToString())));
    }

    /// <summary>
    /// True when a server that takes writes is connected. The multiplexer's own <c>IsConnected</c> is not enough:
    /// with Sentinel it stays true through the replica while the master is dead, and a write would wait in its
    /// backlog for the command timeout instead of the engine going on from memory at once.
    /// </summary>
    public static bool MasterReachable(IConnectionMultiplexer redis) => CurrentMaster(redis) is not null;

    /// <summary>The connected server that takes writes (host:port), or null: which master a Sentinel failover left.</summary>
    public static string? CurrentMaster(IConnectionMultiplexer redis)
    {
        foreach (var server in redis.GetServers())
            if (server.IsConnected && !server.IsReplica) return server.EndPoint.ToString();
        return null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis at {EndPoint} refused the engine's credentials (the password= of ConnectionStrings:Redis): agents' states and leases are kept in memory only until it accepts them")]
    private static partial void LogRefused(ILogger logger, string endPoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis master of {Service} (through Sentinel) is {Master}")]
    private static partial void LogMaster(ILogger logger, string service, string master);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis Sentinel failover of {Service}: the master is now {Master} (was {Previous})")]
    private static partial void LogFailover(ILogger logger, string service, string previous, string master);
}
