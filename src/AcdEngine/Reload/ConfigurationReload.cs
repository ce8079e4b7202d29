using Hotline.Hosting;
using Hotline.Cti.Media.Sources;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Conference;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Routing;
using Microsoft.Extensions.Options;
using Hotline.AcdEngine.Hours;

namespace Hotline.AcdEngine.Reload;

/// <summary>One changed value of a live key (values of live keys hold no secret; restart keys are named only).</summary>
public sealed record ConfigurationChange(string Key, string? From, string? To);

/// <summary>The answer to a reload: applied (what changed, what needs a restart) or refused (why; nothing changed).</summary>
public sealed record ReloadOutcome(
    bool Applied,
    IReadOnlyList<string> Failures,
    IReadOnlyList<ConfigurationChange> Changed,
    IReadOnlyList<string> NeedsRestart,
    RosterReconfigured? Agents = null,
    QueuesReconfigured? Queues = null)
{
    public static ReloadOutcome Refused(IReadOnlyList<string> failures) => new(false, failures, [], []);
}

/// <summary>The configuration as the engine started with it (flattened), taken before anything could change it.</summary>
public sealed class ConfigurationBaseline(IConfiguration configuration)
{
    public IReadOnlyDictionary<string, string> Values { get; } = ConfigurationReload.Flatten(configuration);
}

/// <summary>
/// Re-reads the engine's configuration sources and applies the live settings (<see cref="LiveSettings"/>) without a
/// restart and without touching a call in progress (issue 20; <c>POST /api/config/reload</c>, <c>hotlinectl reload</c>).
/// A configuration that would not pass the start-up validation (of the live settings, and of every options class the
/// engine validates at start) is refused whole and the running one is kept. Changed
/// keys that only a restart applies are reported, never silently ignored.
/// </summary>
/// <remarks>
/// Explicit only: .NET reloads the JSON files when they change on disk, but applying a half-saved file would be worse
/// than waiting for the operator's command.
/// </remarks>
public sealed partial class ConfigurationReload(
    IConfiguration configuration,
    ConfigurationBaseline baseline,
    IOptions<AcdOptions> acd,
    AgentRoster roster,
    CallQueues queues,
    CallRouter router,
    DepartmentDirectory departments,
    AgentNames names,
    IPromptLibrary prompts,
    ILogger<ConfigurationReload> logger)
{
    private readonly Lock _gate = new();
    private Dictionary<string, string> _applied = new(baseline.Values, StringComparer.OrdinalIgnoreCase);
    private AcdOptions _running = acd.Value;

    /// <summary>Reloads, validates, applies or refuses. One at a time.</summary>
    /// <param name="by">Who asked (the API key's name), for the log.</param>
    public ReloadOutcome Reload(string? by)
    {
        lock (_gate)
        {
            var monitored = new List<string>();
            try
            {
                (configuration as IConfigurationRoot)?.Reload();
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException)
            {
                // A JSON file that does not parse ("Failed to load configuration from file '…'" + the parser's line and
                // position, two exceptions down), or one being written right now.
                return Refuse(by, [string.Join(" ", Messages(ex))]);
            }
            catch (AggregateException ex) when (ex.Flatten().InnerExceptions.All(e => ConfigurationFailures.Describe(e) is not null))
            {
                // The new values were read, and the options monitors that ValidateOnStart keeps re-validated every
                // options class on the change notice: a failure there, live setting or not, is what would stop the next
                // start, so it refuses this configuration too (each failure names its key; a value the binder cannot
                // convert, such as Rtp:SharedReceive=maybe, is one of them).
                monitored.AddRange(ex.Flatten().InnerExceptions.Select(e => ConfigurationFailures.Describe(e)!));
            }
            var fresh = LiveSettings.Read(configuration, out var failures);
            if (fresh is null || monitored.Count > 0) return Refuse(by, failures.Concat(monitored).Distinct().ToList());

            var now = Flatten(configuration);
            var changed = Diff(_applied, now, LiveSettings.IsLive).Select(k => new ConfigurationChange(k, _applied.GetValueOrDefault(k), now.GetValueOrDefault(k))).ToList();
            var restart = Diff(baseline.Values, now, k => !LiveSettings.IsLive(k)).ToList();

            var next = LiveSettings.Merge(_running, fresh.Acd);
            var queuesDone = queues.Reconfigure(next);
            var agentsDone = roster.Reconfigure(fresh.Agents, next);
            names.Replace(fresh.Agents, next.WrapUpSeconds);
            departments.Replace(fresh.Departments);
            prompts.ForgetLoaded(); // Edited WAV files play from the next call on.
            var hours = new BusinessHours(next.BusinessHours);
            router.Reconfigure(ctx => ctx with { Options = next, Hours = hours });
            queues.Dispatch(); // Agents' queues may have changed: offer waiting callers again.
            _running = next;
            _applied = Applied(_applied, now);

            LogApplied(logger, by, changed.Count, string.Join(", ", changed.Select(c => c.Key)), restart.Count, string.Join(", ", restart));
            return new ReloadOutcome(true, [], changed, restart, agentsDone, queuesDone);
        }
    }

    private ReloadOutcome Refuse(string? by, IReadOnlyList<string> failures)
    {
        LogRefused(logger, by, string.Join("; ", failures));
        return ReloadOutcome.Refused(failures);
    }

    private static IEnumerable<string> Messages(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException) yield return ex.Message;
    }

    /// <summary>Every key with a value, case-insensitive like configuration keys.</summary>
    internal static Dictionary<string, string> Flatten(IConfiguration configuration) =>
        configuration.AsEnumerable().Where(kv => kv.Value is not null)
            .ToDictionary(kv => kv.Key, kv => kv.Value!, StringComparer.OrdinalIgnoreCase);

    /// <summary>Keys added, removed or changed between two flattened configurations, filtered, in order.</summary>
    internal static IEnumerable<string> Diff(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after, Func<string, bool> include) =>
        before.Keys.Union(after.Keys, StringComparer.OrdinalIgnoreCase)
            .Where(k => include(k) && before.GetValueOrDefault(k) != after.GetValueOrDefault(k))
            .Order(StringComparer.OrdinalIgnoreCase);

    /// <summary>The applied configuration after a reload: live keys as now, the others as they were.</summary>
    private static Dictionary<string, string> Applied(Dictionary<string, string> before, Dictionary<string, string> now)
    {
        var next = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in before) if (!LiveSettings.IsLive(k)) next[k] = v;
        foreach (var (k, v) in now) if (LiveSettings.IsLive(k)) next[k] = v;
        return next;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration reloaded (by {KeyName}): {ChangedCount} live setting(s) changed [{Changed}]; {RestartCount} setting(s) changed that need a restart [{NeedsRestart}]")]
    private static partial void LogApplied(ILogger logger, string? keyName, int changedCount, string changed, int restartCount, string needsRestart);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration reload refused (by {KeyName}), the running configuration is kept: {Failures}")]
    private static partial void LogRefused(ILogger logger, string? keyName, string failures);
}
