using Hotline.AcdEngine.Api;
using Hotline.AcdEngine.Sip;

namespace Hotline.AcdEngine.Hosting;

/// <summary>All of the engine's wiring, in one place (eShop's AddApplicationServices shape).</summary>
public static class ServiceRegistration
{
    public static IServiceCollection AddAcdEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<NodeOptions>().Bind(configuration.GetSection(NodeOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AcdOptions>().Bind(configuration.GetSection(AcdOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TicketApiOptions>().Bind(configuration.GetSection(TicketApiOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSipStack(configuration);
        services.AddGrpc();
        services.AddHealthChecks();
        return services;
    }

    public static WebApplication MapAcdEngine(this WebApplication app)
    {
        app.MapHealthChecks("/healthz");
        app.MapStatsApi();
        app.MapSipApi();
        return app;
    }
}
