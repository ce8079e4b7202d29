using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Redis;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Queues;

/// <summary>The queues' registration. Needs <c>IOptions&lt;IQueueSettings&gt;</c> (<c>Acd:Queues</c> …), registered by routing.</summary>
public static class QueuesRegistration
{
    public static IServiceCollection AddQueues(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var queues = ActivatorUtilities.CreateInstance<CallQueues>(sp);
            // Acd:SharedQueues: one line per queue name across the engines of one Redis (docs/scaling.md), on the
            // agent leases' connection (the line's claim takes the agent's lease in the same script).
            if (sp.GetRequiredService<IOptions<IQueueSettings>>().Value.SharedQueues && sp.GetRequiredService<IAgentLeases>() is RedisAgentLeases leases)
            {
                var node = sp.GetRequiredService<IOptions<NodeOptions>>().Value.Id;
                queues.UseSharedLine(new SharedQueueLine(leases.Connection, node, leases.Lease),
                    () => RedisConnection.MasterReachable(leases.Connection), sp.GetRequiredService<ILogger<CallQueues>>());
            }
            return queues;
        });
        return services;
    }
}
