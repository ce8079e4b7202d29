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

namespace Hotline.AcdEngine.Hosting;

/// <summary>All of the engine's wiring, in one place (eShop's AddApplicationServices shape).</summary>
public static class ServiceRegistration
{
    public static IServiceCollection AddAcdEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<NodeOptions>().Bind(configuration.GetSection(NodeOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AcdOptions>().Bind(configuration.GetSection(AcdOptions.Section))
            .PostConfigure(o =>
            {
                // A hotline always has its default queue, even when Acd:Queues is not configured.
                if (o.Queues.Count == 0) o.Queues[o.DefaultQueue] = new QueueOptions();
            })
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<AcdOptions>>(new AcdOptionsValidator(configuration));
        services.AddOptions<AgentsOptions>().Configure(o => configuration.GetSection(AgentsOptions.Section).Bind(o.List)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentsOptions>, AgentsOptionsValidator>();
        services.AddSingleton<AgentNames>();
        services.AddOptions<TicketApiOptions>().Bind(configuration.GetSection(TicketApiOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSipStack(configuration);
        services.AddOptions<SurveyOptions>().Bind(configuration.GetSection(SurveyOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SurveyOptions>, SurveyOptionsValidator>();
        services.AddOptions<OutboundOptions>().Bind(configuration.GetSection(OutboundOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OutboundOptions>, OutboundOptionsValidator>();
        services.AddConference(configuration);
        services.AddCallRecording(configuration);

        // ITelephony is the real SIP + media telephony registered by AddSipStack (SipTelephony).
        services.AddSingleton<IPromptLibrary>(sp =>
        {
            var acd = sp.GetRequiredService<IOptions<AcdOptions>>().Value;
            var root = SoundsFolder.Resolve(acd.SoundsPath, sp.GetRequiredService<IHostEnvironment>().ContentRootPath);
            return new WavPromptLibrary(root, acd.Language, sp.GetRequiredService<ILogger<WavPromptLibrary>>());
        });
        services.AddSingleton(sp => new SqliteOutbox(Path.Combine(
            DataFolder.Resolve(configuration, sp.GetRequiredService<IHostEnvironment>()), "outbox.db"),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SqliteOutbox>>()));
        services.AddSingleton<IEventSink>(sp => sp.GetRequiredService<SqliteOutbox>());
        services.AddSingleton<IAgentSequenceStore>(sp => sp.GetRequiredService<SqliteOutbox>());
        // Agents shared by every engine on the same Redis: one lease per agent (docs/scaling.md).
        services.AddSingleton<IAgentLeases>(sp => new RedisAgentLeases(
            RedisAgentLeases.Connect(configuration.GetConnectionString("Redis") ?? "127.0.0.1:6379,abortConnect=false"),
            sp.GetRequiredService<IOptions<NodeOptions>>().Value.Id,
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<AcdOptions>>().Value.AgentLeaseSeconds),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<RedisAgentLeases>()));
        services.AddSingleton<AgentRoster>();
        services.AddSingleton<AgentEventRecorder>();
        services.AddSingleton<CallQueues>();
        services.AddSingleton<CallCounters>();
        services.AddSingleton<LiveStats>();
        services.AddSingleton(sp => new TodayFile(
            Path.Combine(DataFolder.Resolve(configuration, sp.GetRequiredService<IHostEnvironment>()), "stats-today.json"),
            sp.GetRequiredService<ILogger<TodayFile>>()));
        services.AddSingleton(sp => new BusinessHours(sp.GetRequiredService<IOptions<AcdOptions>>().Value.BusinessHours));
        services.AddSingleton(sp => new CallFlowContext(
            sp.GetRequiredService<ITelephony>(), sp.GetRequiredService<AgentRoster>(), sp.GetRequiredService<CallQueues>(),
            sp.GetRequiredService<LiveStats>(), sp.GetRequiredService<IPromptLibrary>(), sp.GetRequiredService<IEventSink>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<AcdOptions>>().Value,
            sp.GetRequiredService<IOptions<NodeOptions>>().Value.Id, sp.GetRequiredService<BusinessHours>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Hotline.AcdEngine.Routing.InboundCallFlow"),
            sp.GetRequiredService<Conference.DepartmentDirectory>(),
            sp.GetRequiredService<Recording.CallRecordings>())
        {
            Survey = new PostCallSurvey(sp.GetRequiredService<IOptions<SurveyOptions>>().Value, sp.GetRequiredService<IPromptLibrary>(), sp.GetRequiredService<TimeProvider>()),
            DialPlan = new DialPlan(sp.GetRequiredService<IOptions<OutboundOptions>>().Value),
            Voicemail = new VoicemailBox(Path.Combine(DataFolder.Resolve(configuration, sp.GetRequiredService<IHostEnvironment>()), "voicemail"),
                sp.GetRequiredService<TimeProvider>()),
        });
        services.AddSingleton(sp => new OutboundDialer(sp.GetRequiredService<CallFlowContext>(), sp.GetRequiredService<IOptions<OutboundOptions>>().Value));
        services.AddSingleton(sp => new CallRouter(sp.GetRequiredService<CallFlowContext>()) { AgentDial = sp.GetRequiredService<OutboundDialer>().TryTakeSoftphoneCall });
        services.AddSingleton(sp => RedisMirror.ConnectAsync(
            configuration.GetConnectionString("Redis") ?? "127.0.0.1:6379,abortConnect=false",
            sp.GetRequiredService<IOptions<NodeOptions>>(), sp.GetRequiredService<ILogger<RedisMirror>>()).GetAwaiter().GetResult());
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
        // Live reload (issue 20): the configuration as started, then the reload that applies queues, agents, departments, prompts.
        services.AddSingleton(new ConfigurationBaseline(configuration));
        services.AddSingleton<ConfigurationReload>();
        services.AddHostedService<EngineService>();
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

/// <summary>Finds the sounds folder: absolute, or relative to the content root or any folder above it (the repo root).</summary>
public static class SoundsFolder
{
    public static string Resolve(string configured, string contentRoot)
    {
        if (Path.IsPathRooted(configured)) return configured;
        for (var dir = new DirectoryInfo(contentRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, configured);
            if (Directory.Exists(candidate)) return candidate;
        }
        return Path.Combine(contentRoot, configured);
    }
}
