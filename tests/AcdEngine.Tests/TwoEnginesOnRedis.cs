using Hotline.TestSupport;
using StackExchange.Redis;

namespace Hotline.AcdEngine.Tests;

/// <summary>
/// Two engines' Redis connections to one real <c>redis-server</c> (docs/scaling.md: leases, the shared line, presence,
/// node liveness): the server runs for the fixture, each test starts from an empty database with two connections of
/// its own, <see cref="A"/> (allowed admin commands, for the flush) and <see cref="B"/>.
/// </summary>
public abstract class TwoEnginesOnRedis
{
    protected RedisServer Redis { get; private set; } = null!;
    protected ConnectionMultiplexer A { get; private set; } = null!;
    protected ConnectionMultiplexer B { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartRedisAsync() => Redis = await RedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopRedisAsync() => await Redis.DisposeAsync();

    [SetUp]
    public async Task ConnectBothAsync()
    {
        A = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString + ",allowAdmin=true");
        B = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        await A.GetServers()[0].FlushAllDatabasesAsync();
    }

    [TearDown]
    public async Task DisconnectBothAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}
