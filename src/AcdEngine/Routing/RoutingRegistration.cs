using Hotline.Hosting;
using Hotline.Cti.Media.Sources;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Conference;
using Hotline.AcdEngine.Dialing;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Greetings;
using Hotline.AcdEngine.Hours;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Prompts;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Recording;
using Hotline.AcdEngine.Stats;
using Hotline.AcdEngine.Survey;
using Hotline.Cti.Calls;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// The call flow's registration: <c>Acd:*</c> (validated at start, each failure naming its key), the views of it the
/// lower features read (<see cref="IQueueSettings"/>, <see cref="IAgentSettings"/>, the business hours), the prompts,
/// and the flow's context and router.
/// </summary>
public static class RoutingRegistration
{
    public static IServiceCollection AddAcdOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AcdOptions>().Bind(configuration.GetSection(AcdOptions.Section))
            .PostConfigure(o =>
            {
                // A hotline always has its default queue, even when Acd:Queues is not configured.
                if (o.Queues.Count == 0) o.Queues[o.DefaultQueue] = new QueueOptions();
            })
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<AcdOptions>>(new AcdOptionsValidator(configuration));
        // The same validated instance, seen through each lower feature's own interface.
        services.AddSingleton<IOptions<IQueueSettings>>(sp => sp.GetRequiredService<IOptions<AcdOptions>>());
        services.AddSingleton<IOptions<IAgentSettings>>(sp => sp.GetRequiredService<IOptions<AcdOptions>>());
        services.AddSingleton<IOptions<BusinessHoursOptions>>(sp => Options.Create(sp.GetRequiredService<IOptions<AcdOptions>>().Value.BusinessHours));
        return services;
    }

    public static IServiceCollection AddRouting(this IServiceCollection services, IConfiguration configuration)
    {
        // ITelephony is the real SIP + media telephony registered by AddSipStack (SipTelephony).
        services.AddSingleton<IPromptLibrary>(sp =>
        {
            var acd = sp.GetRequiredService<IOptions<AcdOptions>>().Value;
            var root = SoundsFolder.Resolve(acd.SoundsPath, sp.GetRequiredService<IHostEnvironment>().ContentRootPath);
            return new SoundLibrary(root, acd.Language, sp.GetRequiredService<ILogger<SoundLibrary>>());
        });
        services.AddSingleton(sp => new BusinessHours(sp.GetRequiredService<IOptions<AcdOptions>>().Value.BusinessHours));
        services.AddSingleton(sp => new CallFlowContext(
            sp.GetRequiredService<ITelephony>(), sp.GetRequiredService<AgentRoster>(), sp.GetRequiredService<CallQueues>(),
            sp.GetRequiredService<LiveStats>(), sp.GetRequiredService<IPromptLibrary>(), sp.GetRequiredService<IEventSink>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<AcdOptions>>().Value,
            sp.GetRequiredService<IOptions<NodeOptions>>().Value.Id, sp.GetRequiredService<BusinessHours>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Hotline.AcdEngine.Routing.InboundCallFlow"),
            sp.GetRequiredService<DepartmentDirectory>(),
            sp.GetRequiredService<CallRecordings>())
        {
            Survey = new PostCallSurvey(sp.GetRequiredService<IOptions<SurveyOptions>>().Value, sp.GetRequiredService<IPromptLibrary>(), sp.GetRequiredService<TimeProvider>()),
            DialPlan = new DialPlan(sp.GetRequiredService<IOptions<OutboundOptions>>().Value),
            Voicemail = new VoicemailBox(Path.Combine(DataFolder.Resolve(configuration, sp.GetRequiredService<IHostEnvironment>()), "voicemail"),
                sp.GetRequiredService<TimeProvider>()),
        });
        return services;
    }
}
