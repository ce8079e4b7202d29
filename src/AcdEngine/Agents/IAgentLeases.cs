namespace Hotline.AcdEngine.Agents;

/// <summary>
/// Who may offer a call to an agent when several engines share the agents (docs/scaling.md). A call's flow takes the
/// agent's lease (through the roster) after the dispatcher reserved the agent and before dialling; the roster gives it
/// back when the agent is ready again (after the call and wrap-up, or after a RONA once they are made ready) or signs
/// out: while one engine holds it, no other engine rings that agent — never two calls at once, and another engine's
/// RONA and wrap-up are respected.
/// </summary>
public interface IAgentLeases
{
    /// <summary>Takes <paramref name="agentId"/>'s lease for <paramref name="callId"/>; false when another engine holds it.</summary>
    ValueTask<bool> TryAcquireAsync(string agentId, string callId);

    /// <summary>True while another engine holds the agent's lease.</summary>
    ValueTask<bool> IsHeldElsewhereAsync(string agentId);

    /// <summary>Gives the lease back (no-op when this engine does not hold it).</summary>
    void Release(string agentId);

    /// <summary>Another engine gave an agent's lease back: calls waiting here may be offered to them.</summary>
    event Action<string>? Freed;
}

/// <summary>One engine alone: every lease is granted (the roster's own states are the whole truth).</summary>
public sealed class LocalAgentLeases : IAgentLeases
{
    public static readonly LocalAgentLeases Instance = new();

    public ValueTask<bool> TryAcquireAsync(string agentId, string callId) => ValueTask.FromResult(true);

    public ValueTask<bool> IsHeldElsewhereAsync(string agentId) => ValueTask.FromResult(false);

    public void Release(string agentId)
    {
    }

    public event Action<string>? Freed
    {
        add { }
        remove { }
    }
}
