using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Redis;
using Hotline.AcdEngine.Stats;
using Hotline.AcdEngine.Tests.Stats;
using Hotline.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hotline.AcdEngine.Tests.Redis;

/// <summary>Who may talk to Redis: a password wherever Redis is off this machine, and a refusal said loudly.</summary>
[TestFixture]
public sealed class RedisCredentialsTests
{
    [TestCase("127.0.0.1:6379,abortConnect=false")]
    [TestCase("localhost:6379")]
    [TestCase("[::1]:6379")]
    [TestCase("10.0.0.5:6379,password=s3cret")]
    [TestCase("10.0.0.5:26379,10.0.0.6:26379,serviceName=hotline,password=s3cret")]
    public void A_loopback_redis_or_one_with_a_password_is_accepted(string connectionString) =>
        Assert.That(Validate(connectionString).Succeeded, Is.True, Validate(connectionString).FailureMessage);

    [TestCase("10.0.0.5:6379,abortConnect=false", "10.0.0.5:6379")]
    [TestCase("127.0.0.1:26379,10.0.0.6:26379,serviceName=hotline", "10.0.0.6:26379")]
    [TestCase("redis.hotline.internal:6379", "redis.hotline.internal:6379")]
    public void A_redis_off_this_machine_without_a_password_stops_the_engine_naming_the_key(string connectionString, string named)
    {
        var result = Validate(connectionString);
        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("ConnectionStrings:Redis").And.Contain(named).And.Contain("password"));
        Assert.That(result.FailureMessage, Does.Not.Contain("127.0.0.1"), "only the servers at fault are named");
    }

    [TestCase("")]
    [TestCase("abortConnect=false")]
    public void A_connection_string_naming_no_server_is_refused(string connectionString) =>
        Assert.That(Validate(connectionString).FailureMessage, Does.Contain("ConnectionStrings:Redis"));

    [Test]
    public async Task A_wrong_password_is_refused_by_redis_and_said_once_as_an_error_while_the_engine_goes_on_from_memory()
    {
        await using var redis = await RedisServer.StartAsync();
        var wrong = redis.ConnectionString.Replace(redis.Password, "not-the-password", StringComparison.Ordinal);
        var logs = new ListLogger<RedisMirror>();
        await using var mirror = await RedisMirror.ConnectAsync(wrong, Options.Create(new NodeOptions { Id = "acd-test" }), logs);

        Assert.That(mirror.Degraded, Is.True, "nothing is written to a Redis that refused us");
        var said = await logs.WaitForAsync(e => e.Level == LogLevel.Error && e.Message.Contains("refused the engine's credentials", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        Assert.That(said.Message, Does.Not.Contain("not-the-password"), "the password is never logged");
        Assert.That(logs.Entries.Count(e => e.Message.Contains("refused the engine's credentials", StringComparison.Ordinal)), Is.EqualTo(1));

        // The server really wants the password: a client without one cannot write (what the rule protects).
        await using var anonymous = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},abortConnect=false,connectTimeout=2000");
        Assert.That(anonymous.IsConnected, Is.False);
    }

    private static ValidateOptionsResult Validate(string connectionString) =>
        new RedisCredentialsRule().Validate(null, new RedisOptions { ConnectionString = connectionString });
}
