using System.Net;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hotline.AcdEngine.Redis;

/// <summary><c>ConnectionStrings:Redis</c>, as an options object so that it is checked at start like every setting.</summary>
public sealed class RedisOptions
{
    public string ConnectionString { get; set; } = "";
}

/// <summary>
/// Who may talk to Redis. Agents' states and leases and the live figures live there: whoever can write to it can mark
/// an agent Ready, take an agent's lease or change the wallboard. A Redis reached over a network must therefore want
/// a password (<c>requirepass</c>; Sentinels <c>requirepass</c> and <c>sentinel auth-pass</c>): the engine refuses to
/// start (exit 2 naming the key) when the connection string names a server or Sentinel off this machine without
/// <c>password=</c>. A Redis on loopback without one is allowed (Debian's redis-server as installed: loopback only,
/// protected mode), with a warning at start: any process on this machine can still write to it.
/// </summary>
public sealed class RedisCredentialsRule : IValidateOptions<RedisOptions>
{
    public const string Key = "ConnectionStrings:Redis";

    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(options.ConnectionString);
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail($"{Key} cannot be read: {e.Message}");
        }
        if (parsed.EndPoints.Count == 0) return ValidateOptionsResult.Fail($"{Key} names no Redis server or Sentinel.");
        if (!string.IsNullOrEmpty(parsed.Password)) return ValidateOptionsResult.Success;
        var remote = parsed.EndPoints.Where(e => !IsLoopback(e)).Select(Format).ToList();
        return remote.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(
            $"{Key} names {string.Join(", ", remote)} without a password: anyone who reaches it could change agents' states " +
            "and leases. Add password=… to the connection string and requirepass (servers: also masterauth; Sentinels: " +
            "requirepass and sentinel auth-pass) to Redis (docs/security.md).");
    }

    /// <summary>True when the connection string sends no password (the start-up warning's condition on loopback).</summary>
    public static bool WithoutPassword(string connectionString) =>
        string.IsNullOrEmpty(ConfigurationOptions.Parse(connectionString).Password);

    private static bool IsLoopback(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => IPAddress.IsLoopback(ip.Address),
        DnsEndPoint dns => string.Equals(dns.Host, "localhost", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static string Format(EndPoint endPoint) => endPoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endPoint.ToString() ?? "?",
    };
}

/// <summary>Says at start that Redis is used without a password (allowed on loopback only, see the rule).</summary>
public sealed partial class RedisCredentialsWarning(IOptions<RedisOptions> options, ILogger<RedisCredentialsWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (RedisCredentialsRule.WithoutPassword(options.Value.ConnectionString)) LogNoPassword(logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is used without a password (ConnectionStrings:Redis on loopback): any process on this machine can change agents' states and leases. Set requirepass on Redis and password= in the connection string (docs/security.md).")]
    private static partial void LogNoPassword(ILogger logger);
}

/// <summary>Registers <see cref="RedisOptions"/> with its rule and warning.</summary>
public static class RedisRegistration
{
    /// <summary>The connection string every engine shares when none is configured: Redis on this machine.</summary>
    public const string DefaultConnectionString = "127.0.0.1:6379,abortConnect=false";

    public static string ConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("Redis") ?? DefaultConnectionString;

    public static IServiceCollection AddRedisCredentials(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RedisOptions>().Configure(o => o.ConnectionString = ConnectionString(configuration)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RedisOptions>, RedisCredentialsRule>();
        services.AddHostedService<RedisCredentialsWarning>();
        return services;
    }
}
