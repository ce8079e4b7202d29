namespace Hotline.AcdEngine.Routing;

/// <summary>
/// What an agent's desk may do to the agent's call, whichever way it was placed (inbound or click-to-call): the one
/// door the CTI service uses, looked up once per request. Every refusal is a <see cref="ControlOutcome"/> with its
/// <see cref="ControlRefusal"/> and changes nothing. Commands a kind of call does not support refuse with
/// <see cref="ControlRefusal.NoSuchCall"/>: for that command the agent has no such call.
/// </summary>
public interface ICallControl
{
    /// <summary>Said when the agent has no call the command applies to.</summary>
    public const string NoSuchCall = "The agent has no such call.";

    /// <summary>Said by <see cref="EndSilentCallAsync"/> when the agent has no inbound call (DOMAIN.md: silent callers call in).</summary>
    public const string NoSuchInboundCall = "The agent has no such inbound call.";

    /// <summary>Said when the call ended before or while the command ran (<see cref="ControlOutcome.OrEnded"/>).</summary>
    public const string CallEnded = "The call has ended; nothing was done.";

    string CallId { get; }

    /// <summary>
    /// The call is over for call control: it reached stage Ended, or the caller (outbound: the called party) has hung
    /// up — the agent's wrap-up and the teardown may still be running, but there is nobody left to hold, consult for or
    /// hang up.
    /// </summary>
    bool HasEnded { get; }

    Task<ControlOutcome> HangupByAgentAsync(string agentId, CancellationToken ct);

    /// <summary>The agent leaves; the caller rates the service (issue 10).</summary>
    Task<ControlOutcome> TransferToSurveyAsync(string agentId, CancellationToken ct);

    ControlOutcome Hold(string agentId) => ControlOutcome.NoSuchCall();

    ControlOutcome Resume(string agentId) => ControlOutcome.NoSuchCall();

    /// <summary>Silent caller (DOMAIN.md): the closing prompt, then the call ends.</summary>
    Task<ControlOutcome> EndSilentCallAsync(string agentId, CancellationToken ct) =>
        Task.FromResult(ControlOutcome.NoSuchCall(NoSuchInboundCall));

    ControlOutcome ConsultDepartment(string agentId, string departmentId, bool holdCaller) => ControlOutcome.NoSuchCall();

    Task<ControlOutcome> CompleteTransferAsync(string agentId, CancellationToken ct) => Task.FromResult(ControlOutcome.NoSuchCall());
}
