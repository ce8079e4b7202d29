using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Agents;

/// <summary>The agents' registration: the <c>Agents</c> array (validated at start), names, shared leases, the roster.</summary>
public static class AgentsRegistration
{
    /// <summary>Needs <c>IOptions&lt;IAgentSettings&gt;</c> (wrap-up, lease, queue names), registered by routing.</summary>
    public static IServiceCollection AddAgents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AgentsOptions>().Configure(o => configuration.GetSection(AgentsOptions.Section).Bind(o.List)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentsOptions>, AgentsOptionsValidator>();
        services.AddSingleton<AgentNames>();
        // One connection to Redis for leases, the shared queue line, shared agent states, liveness and the open-call
        // mirror (each also registers it, TryAdd: whichever comes first).
        services.TryAddSingleton(_ => new SharedRedis(NodeRegistration.RedisConnectionString(configuration)));
        // Agents shared by every engine on the same Redis: one lease per agent (docs/scaling.md).
        services.AddSingleton<IAgentLeases>(sp => new RedisAgentLeases(
            sp.GetRequiredService<SharedRedis>().Connection,
            sp.GetRequiredService<IOptions<NodeOptions>>().Value.Id,
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<IAgentSettings>>().Value.AgentLeaseSeconds),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<RedisAgentLeases>()));
        services.AddSingleton<AgentRoster>();
        // Sign-in, ready, not ready and wrap-up made on any engine seen by every engine (docs/scaling.md).
        services.AddSingleton(sp => new SharedAgentStates(sp.GetRequiredService<SharedRedis>().Connection,
            sp.GetRequiredService<IOptions<NodeOptions>>().Value.Id, sp.GetRequiredService<AgentRoster>()));
        return services;
    }
}
