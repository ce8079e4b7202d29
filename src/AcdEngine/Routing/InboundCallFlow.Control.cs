using Hotline.AcdEngine.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// The flow's doors from outside: the desk (<see cref="ICallControl"/>: CTI Hold/Resume/Hangup/TransferToSurvey through
/// the <see cref="TalkStage"/>, consult), the silent-caller closing (DOMAIN.md "The call": from the desk, or the phone's
/// <c>Acd:FeatureCodes:SilentCaller</c>, default <c>*99</c>, watched by <see cref="SilentCallerWatch"/>; played by
/// <see cref="TalkStage.EndSilentCallAsync"/>), and the operator's hang-up (issue 20). Every command applies.
/// </summary>
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

    /// <summary>CTI Hold, the phone's sendonly re-INVITE: the talk stage (<see cref="TalkStage.Hold"/>) of this agent's call.</summary>
    public bool Hold(string agentId, out string error)
    {
        if (TalkWith(agentId) is not { } talk) { error = TalkStage.NotTalking; return false; }
        return talk.Hold(out error);
    }

    public bool Resume(string agentId, out string error)
    {
        if (TalkWith(agentId) is not { } talk) { error = TalkStage.NotTalking; return false; }
        return talk.Resume(out error);
    }

    /// <summary>The agent ends the call from the desktop.</summary>
    public async Task<ControlOutcome> HangupByAgentAsync(string agentId, CancellationToken ct)
    {
        if (TalkWith(agentId) is not { } talk) return (false, TalkStage.NotTalking);
        await talk.HangupAsync(ct);
        return (true, "");
    }

    /// <summary>CTI TransferToSurvey: the agent leaves, the caller goes to the survey (even when <c>Survey:Enabled</c> is off).</summary>
    public async Task<ControlOutcome> TransferToSurveyAsync(string agentId, CancellationToken ct)
    {
        if (!_session.HasSurvey) return (false, "The survey is not configured on this engine.");
        if (TalkWith(agentId) is null) return (false, TalkStage.NotTalking);
        _session.RequestSurvey();
        return await HangupByAgentAsync(agentId, ct);
    }

    /// <summary>
    /// The talk stage when <paramref name="agentId"/> is the agent who answered this call and the caller is still on
    /// it; else null — also in the agent's wrap-up after the caller hung up (the stage is still the talk's then: a
    /// command must not hold, survey or hang up a caller who is gone), and once the call ended.
    /// </summary>
    private TalkStage? TalkWith(string agentId) =>
        _owner.TryRun(() => _parties.LiveTalk is { } talk && talk.AgentId == agentId ? talk : null, ended: null);

    /// <summary>Plays the silent-caller closing to the caller, then ends the call; false (and why) when not the agent's call.</summary>
    public async Task<(bool Ok, string Error)> SilentCallerAsync(string agentId, CancellationToken ct)
    {
        var talk = _owner.TryRun(() => _parties.Three.AgentLeft ? null : TalkWith(agentId), ended: null);
        if (talk is null) return (false, TalkStage.NotTalking);
        return await talk.EndSilentCallAsync(ct);
    }

    /// <summary>
    /// An operator ends the call from the console tool (issue 20), whatever its phase: the engine sends the caller a
    /// BYE (or the final response if unanswered), and the flow ends as for a caller hang-up, except that the call is
    /// recorded as ended by the system with reason "operator-hangup".
    /// </summary>
    public async Task<(bool Ok, string Error)> HangupByOperatorAsync(CancellationToken ct)
    {
        var hangingUp = _owner.TryRun(() =>
        {
            // The caller gone (the agent's wrap-up): nothing to hang up, and the call keeps the reason it ended with.
            if (_life.IsEnded || _callerGone.Task.IsCompleted) return false;
            _operatorHungUp = true;
            return true;
        }, ended: false);
        if (!hangingUp) return (false, "The call has already ended.");
        await _caller.HangupAsync(ct);
        return (true, "");
    }
}
