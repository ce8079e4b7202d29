namespace Hotline.TicketApi.Hosting;

/// <summary>All of TicketApi's wiring, in one place.</summary>
public static class ServiceRegistration
{
    public static IServiceCollection AddTicketApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddGrpc();
        services.AddHealthChecks();
        return services;
    }

    public static WebApplication MapTicketApi(this WebApplication app)
    {
        app.MapHealthChecks("/healthz");
        return app;
    }
}
