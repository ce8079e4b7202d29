namespace Hotline.AcdEngine.Agents;

/// <summary>
/// What the roster needs from the hotline's <c>Acd:*</c> settings (implemented by <c>Routing.AcdOptions</c>): agents sit
/// below routing and queues, so they see those settings through this narrow view rather than the options class.
/// </summary>
public interface IAgentSettings
{
    /// <summary>After-call work before the agent is ready again (<c>Acd:WrapUpSeconds</c>).</summary>
    int WrapUpSeconds { get; }

    /// <summary>How long a busy phone keeps its agent from being offered a call (<c>Acd:BusyRetrySeconds</c>).</summary>
    int BusyRetrySeconds { get; }

    /// <summary>Busy rings in a row after which the agent stays not ready until they say ready (<c>Acd:MaxBusyInARow</c>, 0 = never).</summary>
    int MaxBusyInARow { get; }

    /// <summary>How long an engine's hold on a busy agent lasts in Redis without renewal (<c>Acd:AgentLeaseSeconds</c>).</summary>
    int AgentLeaseSeconds { get; }

    /// <summary>Whether <paramref name="name"/> is a configured queue (<c>Acd:Queues</c>), for <c>Agents:N:Queues</c>.</summary>
    bool IsQueue(string name);
}
