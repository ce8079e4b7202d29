using Hotline.AcdEngine.Calls;
using Hotline.Contracts.V1;
using Hotline.AcdEngine.Routing;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Outbound;

/// <summary>CTI call control of an outbound call: hang up, send the called party to the survey, hold and resume.</summary>
public sealed partial class OutboundCallFlow
{
    /// <summary>The called party has hung up (the agent's wrap-up may still run), or the call ended: nothing is left to control.</summary>
    public bool HasEnded => _partyGone.Task.IsCompleted || _session.Lifecycle.IsEnded || _owner.IsClosed;

    public async Task<ControlOutcome> HangupByAgentAsync(string agentId, CancellationToken ct)
    {
        var (leg, talk) = _owner.TryRun<(ICallLeg?, TalkStage?)>(() =>
        {
            if (agentId != _request.AgentId || _agentLeg is null) return (null, null);
            return _talk is { } t ? (null, t) : (_agentLeg, null); // No talk yet: the number still rings, the agent gives up.
        }, ended: (null, null));
        if (talk is not null)
        {
            await talk.HangupAsync(ct);
            return ControlOutcome.Done;
        }
        if (leg is null) return (false, TalkStage.NotTalking);
        await leg.HangupAsync(ct);
        _agentGone.TrySetResult();
        return ControlOutcome.Done;
    }

    public Task<ControlOutcome> TransferToSurveyAsync(string agentId, CancellationToken ct)
    {
        if (!_session.HasSurvey) return Task.FromResult(ControlOutcome.NotNow("The survey is not configured on this engine."));
        var answered = _owner.TryRun(() =>
        {
            if (_party is null) return false;
            _session.RequestSurvey();
            return true;
        }, ended: false);
        if (!answered) return Task.FromResult(ControlOutcome.NotNow(NotAnswered));
        return HangupByAgentAsync(agentId, ct);
    }

    /// <summary>CTI Hold, the agent phone's sendonly re-INVITE: the called party hears hold music (<see cref="TalkStage.Hold"/>).</summary>
    public ControlOutcome Hold(string agentId)
    {
        if (TalkWith(agentId, out var refused) is not { } talk) return refused;
        return (talk.Hold(out var error), error);
    }

    public ControlOutcome Resume(string agentId)
    {
        if (TalkWith(agentId, out var refused) is not { } talk) return refused;
        return (talk.Resume(out var error), error);
    }

    private const string NotAnswered = "The called party has not answered.";

    /// <summary>
    /// The talk stage when <paramref name="agentId"/> placed this call and it is talking with the called party; else
    /// null and why: another agent's call (no such call), the number still ringing or the party gone (not now).
    /// </summary>
    private TalkStage? TalkWith(string agentId, out ControlOutcome refused)
    {
        if (agentId != _request.AgentId)
        {
            refused = ControlOutcome.NoSuchCall();
            return null;
        }
        var talk = _owner.TryRun(() => _partyGone.Task.IsCompleted ? null : _talk, ended: null);
        refused = talk is null ? ControlOutcome.NotNow(_owner.IsClosed || _partyGone.Task.IsCompleted ? TalkStage.NotTalking : NotAnswered) : ControlOutcome.Done;
        return talk;
    }
}
