using StackExchange.Redis;

namespace Hotline.AcdEngine.Redis;

/// <summary>
/// Tells, once per change, which server the multiplexer writes to: <c>changed(was, now)</c>, <c>was</c> null for the
/// first master seen after none. The multiplexer reports a failover as several configuration changes and restored
/// connections; only a new master is news. Its events can come before it knows the new master, so a user with a
/// timer of its own may <see cref="Check"/> again.
/// </summary>
public sealed class RedisMasterWatch : IDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly Action<string?, string> _changed;
    private readonly Lock _gate = new();
    private string? _master;

    public RedisMasterWatch(IConnectionMultiplexer redis, Action<string?, string> changed)
    {
        _redis = redis;
        _changed = changed;
        _master = RedisConnection.CurrentMaster(redis);
        redis.ConfigurationChanged += OnConfigurationChanged;
        redis.ConnectionRestored += OnConnectionRestored;
    }

    /// <summary>The master when the watch started or last changed (null: none reachable yet).</summary>
    public string? Master
    {
        get { lock (_gate) return _master; }
    }

    public void Check()
    {
        var now = RedisConnection.CurrentMaster(_redis);
        if (now is null) return;
        string? was;
        lock (_gate)
        {
            if (now == _master) return;
            was = _master;
            _master = now;
        }
        _changed(was, now);
    }

    private void OnConfigurationChanged(object? sender, EndPointEventArgs e) => Check();

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => Check();

    public void Dispose()
    {
        _redis.ConfigurationChanged -= OnConfigurationChanged;
        _redis.ConnectionRestored -= OnConnectionRestored;
    }
}
