namespace Hotline.AcdEngine.Routing;

/// <summary>The inbound call as the desk's <see cref="ICallControl"/>: every command applies.</summary>
public sealed partial class InboundCallFlow : ICallControl
{
    (bool Ok, string Error) ICallControl.Hold(string agentId) => (Hold(agentId, out var error), error);

    (bool Ok, string Error) ICallControl.Resume(string agentId) => (Resume(agentId, out var error), error);

    Task<(bool Ok, string Error)> ICallControl.EndSilentCallAsync(string agentId, CancellationToken ct) => SilentCallerAsync(agentId, ct);

    (bool Ok, string Error) ICallControl.ConsultDepartment(string agentId, string departmentId, bool holdCaller) =>
        (ConsultDepartment(agentId, departmentId, holdCaller, out var error), error);
}
