using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Stats;

namespace Hotline.AcdEngine.Hosting;

/// <summary>
/// Starts the engine's parts in order: agent events and Redis mirror listening, agent states restored from Redis
/// (else AutoReady sign-in), the call router, the outbox publisher and the stats writer; stops calls on shutdown.
/// </summary>
public sealed partial class EngineService(
    AgentRoster roster,
    AgentEventRecorder agentEvents,
    RedisMirror redis,
    CallRouter router,
    OutboxPublisher publisher,
    LiveStats stats,
    TimeProvider time,
    IAgentLeases leases,
    IHostApplicationLifetime lifetime,
    SqliteOutbox outbox,
    TodayFile todayFile,
    SharedAgentStates sharedStates,
    ILogger<EngineService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = agentEvents; // Constructed: it records every transition from now on.
        if (todayFile.Load() is { } saved && stats.RestoreToday(saved)) LogTodayRestored(logger, saved.Queues.Values.Sum(q => q.Offered));
        var savedVersion = stats.Version;
        roster.Changed += redis.WriteAgent;
        if (leases is RedisAgentLeases shared) await shared.ForgetEarlierRunAsync(roster.All().Select(a => a.Id));
        await sharedStates.ListeningAsync(); // Changes made on other engines are applied from now on (docs/scaling.md).
        var stored = await redis.ReadAgentStatesAsync(roster.All().Select(a => a.Id));
        foreach (var agent in roster.All())
        {
            if (stored.TryGetValue(agent.Id, out var state) && state.State != AgentState.SignedOut)
                roster.Restore(agent.Id, state.State, state.Reason);
            else if (!stored.ContainsKey(agent.Id) && roster.Get(agent.Id).State == AgentState.SignedOut)
                SignInIfAutoReady(agent.Id);
        }
        LogStarted(logger, roster.All().Count(a => a.State == AgentState.Ready), router.ActiveCalls);
        if (outbox.CallsClosedAtStart.Count > 0) LogClosedAfterFailure(logger, outbox.CallsClosedAtStart.Count, string.Join(", ", outbox.CallsClosedAtStart));
        // ApplicationStopping fires before the hosted services are stopped: no publish retry is scheduled while stopping.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        var publishing = publisher.RunAsync(stopping.Token);
        using var ticker = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await ticker.WaitForNextTickAsync(stoppingToken))
            {
                await redis.WriteStatsAsync(stats.Snapshot());
                // The others' figures for the wallboard's one-hotline view; 3 s: a dead engine's drop out quickly.
                stats.OtherNodes = await redis.ReadOtherNodesAsync(time.GetUtcNow(), TimeSpan.FromSeconds(3));
                if (stats.Version == savedVersion) continue;
                savedVersion = stats.Version;
                Save();
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
        await router.StopAsync(TimeSpan.FromSeconds(5));
        Save();
        await publishing;
    }

    private void Save() => todayFile.Save(stats.ExportToday());

    private void SignInIfAutoReady(string agentId)
    {
        if (!roster.IsAutoReady(agentId)) return;
        try
        {
            roster.SignIn(agentId, ready: true);
        }
        catch (AgentTransitionException)
        {
            // Signed in meanwhile by another engine's published state (engines started together, docs/scaling.md): the
            // agent is in already. Seen in the whole-site test: the engine stopped at start with "cannot sign in while Ready".
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The previous run stopped with {Count} calls up (killed?): closed them as ended by engine failure: {CallIds}")]
    private static partial void LogClosedAfterFailure(ILogger logger, int count, string callIds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Today's counters restored ({Offered} calls offered so far today)")]
    private static partial void LogTodayRestored(ILogger logger, int offered);

    [LoggerMessage(Level = LogLevel.Information, Message = "ACD engine started: {Ready} agents ready, {Calls} calls")]
    private static partial void LogStarted(ILogger logger, int ready, int calls);
}
