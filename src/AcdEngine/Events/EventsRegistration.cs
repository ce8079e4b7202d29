using Hotline.Hosting;
using Grpc.Core.Interceptors;
using Hotline.AcdEngine.Node;
using Hotline.Contracts.V1;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Events;

/// <summary>Durable events: the outbox, the agent event recorder, and delivery to TicketApi (<c>TicketApi:*</c>, validated at start).</summary>
public static class EventsRegistration
{
    public static IServiceCollection AddEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TicketApiOptions>().Bind(configuration.GetSection(TicketApiOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new SqliteOutbox(Path.Combine(
            DataFolder.Resolve(configuration, sp.GetRequiredService<IHostEnvironment>()), "outbox.db"),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SqliteOutbox>>()));
        services.AddSingleton<IEventSink>(sp => sp.GetRequiredService<SqliteOutbox>());
        services.AddSingleton<IAgentSequenceStore>(sp => sp.GetRequiredService<SqliteOutbox>());
        services.AddSingleton<AgentEventRecorder>();
        services.AddSingleton(sp =>
        {
            var ticketApi = sp.GetRequiredService<IOptions<TicketApiOptions>>().Value;
            // Every event goes out under this node's own credential; TicketApi refuses another node's id (COMMON).
            var channel = Hotline.Tls.HostTls.CreateChannel(ticketApi.Url, sp.GetRequiredService<IOptions<Hotline.Tls.TlsOptions>>().Value,
                "TicketApi ingest", sp.GetRequiredService<ILoggerFactory>().CreateLogger("Hotline.Tls"));
            return new CallEventIngest.CallEventIngestClient(
                channel.Intercept(m => { m.Add("authorization", "Bearer " + ticketApi.NodeKey); return m; }));
        });
        services.AddSingleton(sp => new OutboxPublisher(sp.GetRequiredService<SqliteOutbox>(),
            sp.GetRequiredService<CallEventIngest.CallEventIngestClient>(), sp.GetRequiredService<TimeProvider>(),
            PublisherSettings.Default, sp.GetRequiredService<ILogger<OutboxPublisher>>()));
        return services;
    }
}
