using Hotline.Hosting;
using Hotline.AcdEngine.Node;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Stats;

/// <summary>Today's counters, their file, and the Redis mirror supervisors read.</summary>
public static class StatsRegistration
{
    public static IServiceCollection AddStats(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<CallCounters>();
        services.AddSingleton<LiveStats>();
        services.AddSingleton(sp => new TodayFile(
            Path.Combine(DataFolder.Resolve(configuration, sp.GetRequiredService<IHostEnvironment>()), "stats-today.json"),
            sp.GetRequiredService<ILogger<TodayFile>>()));
        services.AddSingleton(sp => RedisMirror.ConnectAsync(NodeRegistration.RedisConnectionString(configuration),
            sp.GetRequiredService<IOptions<NodeOptions>>(), sp.GetRequiredService<ILogger<RedisMirror>>()).GetAwaiter().GetResult());
        return services;
    }
}
