using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Hotline.AcdEngine.Conference;
using Hotline.AcdEngine.Recording;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Api;
using Hotline.AcdEngine.Sip;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Prompts;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Security;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Stats;
using Hotline.AcdEngine.Outbound;
using Hotline.AcdEngine.Survey;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Hours;
using Hotline.AcdEngine.Dialing;
using Hotline.AcdEngine.Reload;
using Hotline.AcdEngine.Redis;
using Hotline.AcdEngine.Liveness;

namespace Hotline.AcdEngine.Hosting;

/// <summary>All of the engine's wiring, in one place (eShop's AddApplicationServices shape).</summary>
public static class ServiceRegistration
{
    public static IServiceCollection AddAcdEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        // Each feature registers its own options (validated at start), services and endpoints; the host only orders them.
        services.AddNode(configuration);
        services.AddRedisCredentials(configuration);
        services.AddAcdOptions(configuration);
        services.AddAgents(configuration);
        services.AddQueues();
        services.AddEvents(configuration);
        services.AddStats(configuration);
        services.AddSipStack(configuration);
        services.AddSurvey(configuration);
        services.AddDialing(configuration);
        services.AddConference(configuration);
        services.AddCallRecording(configuration);
        services.AddRouting(configuration);
        services.AddSingleton(sp => new OutboundDialer(sp.GetRequiredService<CallFlowContext>(), sp.GetRequiredService<IOptions<OutboundOptions>>().Value));
        services.AddSingleton(sp => new CallRouter(sp.GetRequiredService<CallFlowContext>()) { AgentDial = sp.GetRequiredService<OutboundDialer>().TryTakeSoftphoneCall });
        services.AddReload(configuration);
        services.AddHostedService<EngineService>();
        services.AddLiveness(configuration);     // heartbeats, open calls in Redis, a dead engine's calls closed (docs/scaling.md)
        services.AddHostedService<EngineGauges>();   // /metrics (docs/operations.md "Monitoring")
        services.AddEngineSecurity(configuration);
        services.AddGrpc(o => o.Interceptors.Add<CtiAuthorization>());
        services.AddHealthChecks().AddCheck<DataDiskHealthCheck>("data-disk");
        return services;
    }

    public static WebApplication MapAcdEngine(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/healthz").AllowAnonymous();
        app.MapStatsApi();
        app.MapDialApi();
        app.MapSipApi();
        app.MapCallsApi();
        app.MapConfigApi();
        app.MapRecordingsApi();
        app.MapGrpcService<CtiService>();
        return app;
    }
}
