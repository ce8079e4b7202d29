using Hotline.AcdEngine.Hosting;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Agents;

/// <summary>
/// Agents' display names (<c>Agents[].Name</c>) and the wrap-up time, as the CTI streams hand them to desks and
/// wallboards (issue 17). Read once at start, like the roster.
/// </summary>
public sealed class AgentNames(IOptions<AgentsOptions> agents, IOptions<AcdOptions> acd)
{
    private readonly Dictionary<string, string> _names = agents.Value.List
        .Where(a => !string.IsNullOrWhiteSpace(a.Name))
        .GroupBy(a => a.Id, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.First().Name.Trim(), StringComparer.Ordinal);

    /// <summary>Acd:WrapUpSeconds.</summary>
    public uint WrapUpSeconds { get; } = (uint)Math.Max(0, acd.Value.WrapUpSeconds);

    /// <summary>The display name, or "" when none is configured.</summary>
    public string Of(string agentId) => _names.GetValueOrDefault(agentId, "");
}
