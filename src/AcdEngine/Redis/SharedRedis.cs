using StackExchange.Redis;

namespace Hotline.AcdEngine.Redis;

/// <summary>
/// The engine's one connection for agent leases, the shared queue line, shared agent states, node liveness and the
/// open-call mirror (<c>ConnectionStrings:Redis</c>,
/// Sentinel or servers, <see cref="RedisConnection.Options"/>). Opened on first use; Redis away at start is not an error:
/// the multiplexer connects when it can, and every user checks <see cref="RedisConnection.MasterReachable"/> first.
/// </summary>
public sealed class SharedRedis(string connectionString) : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _connection = new(() => ConnectionMultiplexer.Connect(RedisConnection.Options(connectionString)));

    public IConnectionMultiplexer Connection => _connection.Value;

    public void Dispose()
    {
        if (_connection.IsValueCreated) _connection.Value.Dispose();
    }
}
