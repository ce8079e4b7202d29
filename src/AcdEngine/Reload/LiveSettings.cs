using System.Reflection;
using Hotline.AcdEngine.Conference;
using Microsoft.Extensions.Options;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Hours;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Routing;

namespace Hotline.AcdEngine.Reload;

/// <summary>
/// The settings a configuration reload applies while calls go on (issue 20): queues, agents, departments and prompts,
/// with the call-flow settings that go with them. Everything else (ports, TLS, Redis, API keys, SIP accounts…) is read
/// once at start and needs a restart.
/// </summary>
public sealed record LiveSettings(AcdOptions Acd, IReadOnlyList<AgentOptions> Agents, IReadOnlyList<DepartmentOptions> Departments)
{
    /// <summary>Configuration keys applied live, with everything under them.</summary>
    public static readonly IReadOnlyList<string> LiveKeys =
    [
        "Acd:DefaultQueue", "Acd:Queues", "Acd:Ivr", "Acd:ServiceLevelSeconds", "Acd:RingTimeoutSeconds", "Acd:WrapUpSeconds",
        "Acd:BusyRetrySeconds", "Acd:MaxBusyInARow", "Acd:AnnounceEverySeconds", "Acd:Greeting", "Acd:Greetings", "Acd:Voicemail", "Acd:BusinessHours",
        AgentsOptions.Section, DepartmentOptions.Section,
    ];

    /// <summary>
    /// <c>Acd:*</c> keys captured at start by parts that live as long as the engine: the SIP routing (hotline number,
    /// feature codes), the prompt folder, the Redis agent leases, the registered-phone rule.
    /// </summary>
    public static readonly IReadOnlyList<string> AcdRestartKeys =
    [
        "Acd:HotlineNumber", "Acd:FeatureCodes", "Acd:SoundsPath", "Acd:Language", "Acd:AgentLeaseSeconds", "Acd:ReadyNeedsRegisteredPhone",
        "Acd:SharedQueues",
    ];

    /// <summary>Whether <paramref name="key"/> (a configuration path, any case) is applied by a reload.</summary>
    public static bool IsLive(string key) =>
        LiveKeys.Any(k => key.Equals(k, StringComparison.OrdinalIgnoreCase) || key.StartsWith(k + ":", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Binds <c>Acd</c>, <c>Agents</c> and <c>Departments</c> from <paramref name="configuration"/> exactly as the engine
    /// does at start and runs the same validators. Failures name their keys; with any failure the result is null.
    /// </summary>
    public static LiveSettings? Read(IConfiguration configuration, out IReadOnlyList<string> failures)
    {
        var found = new List<string>();
        failures = found;
        var acd = new AcdOptions();
        var agents = new AgentsOptions();
        var departments = new DepartmentsOptions();
        try
        {
            configuration.GetSection(AcdOptions.Section).Bind(acd);
            configuration.GetSection(AgentsOptions.Section).Bind(agents.List);
            configuration.GetSection(DepartmentOptions.Section).Bind(departments.List);
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key and the type ("Failed to convert configuration value at 'Acd:…'").
            found.Add(ex.Message);
            return null;
        }
        // ServiceRegistration's PostConfigure: a hotline always has its default queue.
        if (acd.Queues.Count == 0) acd.Queues[acd.DefaultQueue] = new QueueOptions();
        Collect(new DataAnnotationValidateOptions<AcdOptions>(null).Validate(null, acd), found);
        Collect(new AcdOptionsValidator(configuration).Validate(null, acd), found);
        Collect(new AgentsOptionsValidator(Microsoft.Extensions.Options.Options.Create(acd)).Validate(null, agents), found);
        Collect(new DepartmentsOptionsValidator().Validate(null, departments), found);
        return found.Count == 0 ? new LiveSettings(acd, agents.List, departments.List) : null;
    }

    /// <summary>
    /// What the engine runs with after a reload: <paramref name="fresh"/>'s live settings, <paramref name="running"/>'s
    /// values for the keys that need a restart (so a reload never half-applies one of those).
    /// </summary>
    public static AcdOptions Merge(AcdOptions running, AcdOptions fresh) => new()
    {
        // Needs a restart (AcdRestartKeys): kept as running.
        HotlineNumber = running.HotlineNumber,
        FeatureCodes = running.FeatureCodes,
        SoundsPath = running.SoundsPath,
        Language = running.Language,
        AgentLeaseSeconds = running.AgentLeaseSeconds,
        ReadyNeedsRegisteredPhone = running.ReadyNeedsRegisteredPhone,
        SharedQueues = running.SharedQueues,
        // Live (LiveKeys).
        DefaultQueue = fresh.DefaultQueue,
        Queues = fresh.Queues,
        Ivr = fresh.Ivr,
        ServiceLevelSeconds = fresh.ServiceLevelSeconds,
        RingTimeoutSeconds = fresh.RingTimeoutSeconds,
        WrapUpSeconds = fresh.WrapUpSeconds,
        BusyRetrySeconds = fresh.BusyRetrySeconds,
        MaxBusyInARow = fresh.MaxBusyInARow,
        AnnounceEverySeconds = fresh.AnnounceEverySeconds,
        Greeting = fresh.Greeting,
        Greetings = fresh.Greetings,
        Voicemail = fresh.Voicemail,
        BusinessHours = fresh.BusinessHours,
    };

    /// <summary>Every settable property of <see cref="AcdOptions"/> as its key (for the test that each is classified).</summary>
    internal static IEnumerable<string> AcdKeys() =>
        typeof(AcdOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => AcdOptions.Section + ":" + p.Name);

    private static void Collect(ValidateOptionsResult result, List<string> failures)
    {
        if (result.Failed) failures.AddRange(result.Failures ?? [result.FailureMessage]);
    }
}
