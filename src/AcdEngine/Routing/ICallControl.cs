namespace Hotline.AcdEngine.Routing;

/// <summary>
/// What an agent's desk may do to the agent's call, whichever way it was placed (inbound or click-to-call): the one
/// door the CTI service uses, looked up once per request. Every refusal is <c>(false, why)</c> and changes nothing.
/// Commands a kind of call does not support refuse with <see cref="NoSuchCall"/>, as before this interface.
/// </summary>
public interface ICallControl
{
    /// <summary>Said when the agent has no call the command applies to.</summary>
    public const string NoSuchCall = "The agent has no such call.";

    string CallId { get; }

    Task<(bool Ok, string Error)> HangupByAgentAsync(string agentId, CancellationToken ct);

    /// <summary>The agent leaves; the caller rates the service (issue 10).</summary>
    Task<(bool Ok, string Error)> TransferToSurveyAsync(string agentId, CancellationToken ct);

    (bool Ok, string Error) Hold(string agentId) => (false, NoSuchCall);

    (bool Ok, string Error) Resume(string agentId) => (false, NoSuchCall);

    /// <summary>Silent caller (DOMAIN.md): the closing prompt, then the call ends.</summary>
    Task<(bool Ok, string Error)> EndSilentCallAsync(string agentId, CancellationToken ct) =>
        Task.FromResult((false, "The agent has no such inbound call."));

    (bool Ok, string Error) ConsultDepartment(string agentId, string departmentId, bool holdCaller) => (false, NoSuchCall);

    Task<(bool Ok, string Error)> CompleteTransferAsync(string agentId, CancellationToken ct) => Task.FromResult((false, NoSuchCall));
}
