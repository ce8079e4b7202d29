using System.Collections.Concurrent;
using Hotline.TicketApi.WebConsole;
using Microsoft.Extensions.Options;
using Hotline.TicketApi.Engine;

namespace Hotline.TicketApi.Desk;

/// <summary>
/// The desks' engine feeds, one per agent id: the one owner of each agent's <see cref="AgentDeskFeed"/>. A feed holds the
/// engine's <c>WatchAgent</c> stream open while at least one browser of that agent watches it.
/// </summary>
public sealed class AgentDesks(
    IOptions<AcdEngineOptions> engine, IOptions<DeskOptions> desk, IServiceScopeFactory scopes, TimeProvider time, ILoggerFactory logs) : IDisposable
{
    private readonly ConcurrentDictionary<string, AgentDeskFeed> _feeds = new(StringComparer.Ordinal);

    public AgentDeskFeed For(string agentId) =>
        _feeds.GetOrAdd(agentId, id => new AgentDeskFeed(id, engine.Value, desk.Value, scopes, time, logs.CreateLogger<AgentDeskFeed>()));

    public void Dispose()
    {
        foreach (var feed in _feeds.Values) feed.Dispose();
    }
}
