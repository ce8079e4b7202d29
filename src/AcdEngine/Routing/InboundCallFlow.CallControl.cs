namespace Hotline.AcdEngine.Routing;

/// <summary>The inbound call as the desk's <see cref="ICallControl"/>: every command applies.</summary>
public sealed partial class InboundCallFlow : ICallControl
{
    /// <summary>The caller has hung up (or was hung up): the agent's wrap-up and the teardown may still run, nothing is left to control.</summary>
    public bool HasEnded => _callerGone.Task.IsCompleted || _life.IsEnded || _owner.IsClosed;

    ControlOutcome ICallControl.Hold(string agentId) => (Hold(agentId, out var error), error);

    ControlOutcome ICallControl.Resume(string agentId) => (Resume(agentId, out var error), error);

    async Task<ControlOutcome> ICallControl.EndSilentCallAsync(string agentId, CancellationToken ct) => await SilentCallerAsync(agentId, ct);

    /// <summary>An unknown department is a bad argument whatever the call's stage, checked first (gRPC status code guide).</summary>
    ControlOutcome ICallControl.ConsultDepartment(string agentId, string departmentId, bool holdCaller) =>
        _ctx.Departments?.FindById(departmentId) is null
            ? ControlOutcome.BadArgument($"Unknown department '{departmentId}'.")
            : (ConsultDepartment(agentId, departmentId, holdCaller, out var error), error);
}
