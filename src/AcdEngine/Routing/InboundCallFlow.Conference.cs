using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Conference;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Routing;

/// <summary>The conference stages this flow hands its call to (Conference/), through the call's <see cref="CallParties"/>.</summary>
public sealed partial class InboundCallFlow
{
    /// <summary>CTI Monitor (<see cref="MonitorStage"/>): rings the supervisor's phone; they join on answer.</summary>
    public bool Monitor(string supervisorUser, MonitorMode mode, out string error) =>
        new MonitorStage(_parties, _ctx.Options.HotlineNumber, TimeSpan.FromSeconds(_ctx.Departments?.Options.RingTimeoutSeconds ?? 20), _ctx.Logger)
            .Start(supervisorUser, mode, out error);

    /// <summary>The agent's phone asks for a transfer (SIP REFER): the <see cref="TransferStage"/> of this call.</summary>
    private TransferStage NewTransferStage() =>
        new(_parties, _ctx.Roster, _ctx.Departments, _ctx.DialPlan, _ctx.Options.RingTimeoutSeconds, _ctx.Options.HotlineNumber, _ctx.Logger);

    /// <summary>The agent's phone hung up and its blind transfer failed: nobody to reconnect to; the matter goes to dispatch.</summary>
    private async Task<(HangupBy, string, TimeSpan)> EndAfterFailedTransferAsync(TalkStage talk, CancellationToken ct)
    {
        lock (_gate) _parties.Three.MarkAgentLeft();
        _timeline.EndedAt = _ctx.Time.GetUtcNow();
        lock (_gate)
            if (_life.TryResume()) _timeline.HoldEnded(_timeline.EndedAt.Value);
        var wrapUp = _ctx.Roster.EndCall(talk.AgentId, CallId);
        await _parties.HangupAllAsync(talk.Leg);
        return (_callerGone.Task.IsCompleted ? HangupBy.Caller : HangupBy.System, "transfer-failed", await wrapUp.WaitAsync(ct));
    }

    /// <summary>The agent a blind transfer reached is done with the call (to wrap-up) once it ends.</summary>
    private void EndTargetAgentCall()
    {
        string? agentId;
        lock (_gate) agentId = _parties.Three.TakeTargetAgent();
        if (agentId is not null) _ = _ctx.Roster.EndCall(agentId, CallId);
    }
}
