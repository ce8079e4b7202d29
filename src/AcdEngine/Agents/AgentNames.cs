using Hotline.AcdEngine.Hosting;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Agents;

/// <summary>
/// Agents' display names (<c>Agents[].Name</c>) and the wrap-up time, as the CTI streams hand them to desks and
/// wallboards (issue 17). Read at start, like the roster, and again by a configuration reload (<see cref="Replace"/>).
/// </summary>
public sealed class AgentNames(IOptions<AgentsOptions> agents, IOptions<IAgentSettings> acd)
{
    private volatile Dictionary<string, string> _names = Index(agents.Value.List);

    /// <summary>Acd:WrapUpSeconds.</summary>
    public uint WrapUpSeconds { get; private set; } = (uint)Math.Max(0, acd.Value.WrapUpSeconds);

    /// <summary>A reloaded, validated agent list and wrap-up time (issue 20, live reload).</summary>
    public void Replace(IEnumerable<AgentOptions> agents, int wrapUpSeconds)
    {
        _names = Index(agents);
        WrapUpSeconds = (uint)Math.Max(0, wrapUpSeconds);
    }

    private static Dictionary<string, string> Index(IEnumerable<AgentOptions> agents) => agents
        .Where(a => !string.IsNullOrWhiteSpace(a.Name))
        .GroupBy(a => a.Id, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.First().Name.Trim(), StringComparer.Ordinal);

    /// <summary>The display name, or "" when none is configured.</summary>
    public string Of(string agentId) => _names.GetValueOrDefault(agentId, "");
}
