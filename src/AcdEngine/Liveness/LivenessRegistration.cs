using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Liveness;

/// <summary>Heartbeats, the open-call mirror and the takeover of a dead engine's calls (<c>Node:*</c>, docs/scaling.md).</summary>
public static class LivenessRegistration
{
    public static IServiceCollection AddLiveness(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(_ => new SharedRedis(RedisRegistration.ConnectionString(configuration)));
        services.AddSingleton(sp => new OpenCallMirror(sp.GetRequiredService<SharedRedis>().Connection,
            sp.GetRequiredService<IOptions<NodeOptions>>().Value.Id, sp.GetRequiredService<SqliteOutbox>()));
        services.AddSingleton(sp => new DeadNodeTakeover(sp.GetRequiredService<SharedRedis>().Connection,
            sp.GetRequiredService<IOptions<NodeOptions>>().Value.Id, sp.GetRequiredService<IEventSink>(), QueueNames(sp),
            () => sp.GetRequiredService<AgentRoster>().All().Select(a => a.Id), sp.GetRequiredService<IAgentLeases>(), Lease(sp)));
        services.AddSingleton(sp => new NodeWatch(sp.GetRequiredService<IOptions<NodeOptions>>().Value, sp.GetRequiredService<SharedRedis>().Connection,
            sp.GetRequiredService<OpenCallMirror>(), sp.GetRequiredService<DeadNodeTakeover>(), sp.GetRequiredService<SqliteOutbox>().CallsClosedAtStart,
            QueueNames(sp), Lease(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<NodeWatch>>()));
        services.AddHostedService(sp => sp.GetRequiredService<NodeWatch>());
        return services;
    }

    private static Func<IEnumerable<string>> QueueNames(IServiceProvider sp)
    {
        // The queues configured at start, plus (at a takeover) each mirrored call's own queue: a queue added by a reload
        // is still covered for the calls that were in it.
        var queues = sp.GetRequiredService<IOptions<IQueueSettings>>().Value;
        return () => queues.Queues.Keys;
    }

    private static TimeSpan Lease(IServiceProvider sp) => TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<IAgentSettings>>().Value.AgentLeaseSeconds);
}
