using System.Text.Json.Serialization;
using Hotline.TicketApi.AfterCall;
using Hotline.TicketApi.Api;
using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Security;
using Hotline.TicketApi.Calendar;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.WebConsole;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.Ingest;
using Hotline.TicketApi.Intake;
using Hotline.TicketApi.Metrics;
using Hotline.TicketApi.Quality;
using Hotline.TicketApi.Supervision;
using Hotline.TicketApi.Testing;
using Hotline.TicketApi.WorkOrders;
using Microsoft.Extensions.Options;

namespace Hotline.TicketApi.Hosting;

/// <summary>All of TicketApi's wiring, in one place.</summary>
public static class ServiceRegistration
{
    public static IServiceCollection AddTicketApi(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddHostClock(configuration);   // TimeProvider: the real clock, or Testing:Clock=Manual
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CalendarOptions>().Bind(configuration.GetSection(CalendarOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CatalogueOptions>().Configure(o => o.BindFrom(configuration.GetSection(CatalogueOptions.Section))).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<CalendarOptions>>().Value.Build());
        services.AddSingleton<DeadlineRules>();

        services.AddTicketStore(configuration, environment);
        services.AddHostedService<DatabaseMigrator>();   // before the writer: the schema exists when ingest starts
        services.AddSupervision(configuration);   // the overdue sweep (DOMAIN.md step 8)
        services.AddIntake(configuration);        // the public web form and the SMS gateway (DOMAIN.md "Channels")
        services.AddSingleton<IngestWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestWriter>());
        services.AddSingleton<TicketMetrics>();
        services.AddHostedService<OrderGauges>();   // /metrics (docs/operations.md "Monitoring")

        // AcdEngine:Url (options registered with the console): the CTI client that places callbacks.
        services.AddSingleton<ICallPlacer>(sp => sp.GetRequiredService<IOptions<Engine.AcdEngineOptions>>().Value is { Url.Length: > 0 } engine
            ? new CtiCallPlacer(new Contracts.V1.Cti.CtiClient(EngineCredentials.Authorised(Hotline.Tls.HostTls.CreateChannel(engine.Url,
                sp.GetRequiredService<IOptions<Hotline.Tls.TlsOptions>>().Value, "AcdEngine CTI", sp.GetRequiredService<ILoggerFactory>().CreateLogger("Hotline.Tls")), engine.ServiceKey)),
                sp.GetRequiredService<IHttpContextAccessor>())
            : new UnconfiguredCallPlacer());
        services.AddHttpContextAccessor();
        services.AddScoped<StepContext>();
        services.AddScoped<MetricsQuery>();
        services.AddTicketAuth();
        services.AddTicketSecurity(configuration);
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestProblems>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi();
        services.AddGrpc(o => o.MaxReceiveMessageSize = 1024 * 1024);
        services.AddHealthChecks();
        services.AddConsole(configuration);
        services.AddQuality(configuration);   // issue 17: the quality review of recordings
        return services;
    }

    public static WebApplication MapTicketApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseSecurityHeaders();
        app.MapConsole();
        app.UseStatusCodePages();
        app.UseFailedKeyLimit();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/healthz");
        app.MapOpenApi();
        app.MapGrpcService<CallEventIngestService>();
        app.MapWorkOrdersApi();
        app.MapCallsApi();
        app.MapMetricsApi();
        app.MapKeysApi();
        app.MapAfterCallApi();
        app.MapHostClock();
        app.MapSupervisionApi();
        app.MapIntakeApi();
        app.MapQualityApi();
        return app;
    }
}

/// <summary>Applies the provider's migrations when the host starts (after options validation).</summary>
public sealed class DatabaseMigrator(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => TicketStore.MigrateAsync(services, cancellationToken);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
