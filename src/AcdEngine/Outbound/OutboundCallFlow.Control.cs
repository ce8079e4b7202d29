using Hotline.Contracts.V1;
using Hotline.AcdEngine.Routing;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Outbound;

/// <summary>CTI call control of an outbound call: hang up, send the called party to the survey.</summary>
public sealed partial class OutboundCallFlow
{
    /// <inheritdoc/>
    public bool HasEnded => _session.Lifecycle.IsEnded || _owner.IsClosed;

    public async Task<ControlOutcome> HangupByAgentAsync(string agentId, CancellationToken ct)
    {
        var leg = _owner.TryRun(() =>
        {
            if (agentId != _request.AgentId || _agentLeg is null) return null;
            _agentHungUp = true;
            return _agentLeg;
        }, ended: null);
        if (leg is null) return (false, "The agent is not talking on this call.");
        await leg.HangupAsync(ct);
        _agentGone.TrySetResult();
        return (true, "");
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
        if (!answered) return Task.FromResult(ControlOutcome.NotNow("The called party has not answered."));
        return HangupByAgentAsync(agentId, ct);
    }
}
