using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>The post-call survey hook of an inbound call (issue 10; DOMAIN.md "after the call the caller rates").</summary>
public sealed partial class InboundCallFlow
{
    private bool _surveyRequested;

    /// <summary>CTI TransferToSurvey: the agent leaves, the caller goes to the survey (even when <c>Survey:Enabled</c> is off).</summary>
    public async Task<ControlOutcome> TransferToSurveyAsync(string agentId, CancellationToken ct)
    {
        if (_ctx.Survey is null) return (false, "The survey is not configured on this engine.");
        lock (_gate)
        {
            if (_talk is null || _talk.AgentId != agentId) return (false, "The agent is not talking on this call.");
            _surveyRequested = true;
        }
        return await HangupByAgentAsync(agentId, ct);
    }

    /// <summary>Runs the survey if enabled (or requested) and the caller is still there; emits SatisfactionRated.</summary>
    private async Task SurveyAsync(string agentId, CancellationToken ct)
    {
        bool requested;
        lock (_gate)
        {
            requested = _surveyRequested;
            if (_ctx.Survey is not null) _life.TryMove(CallStage.Survey);
        }
        if (_ctx.Survey is not { } survey || await survey.RunIfDueAsync(_caller, requested, ct) is not { } score) return;
        _events.Emit(new CallEvent
        {
            SatisfactionRated = new SatisfactionRated { AgentId = agentId, Queue = _queue, Score = score, Direction = CallDirection.Inbound },
        });
        LogRated(_ctx.Logger, CallId, agentId, score);
        if (score != SatisfactionScore.NotRated) await survey.ThankAsync(_caller, ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: survey for agent {AgentId}: {Score}")]
    private static partial void LogRated(ILogger logger, string callId, string agentId, SatisfactionScore score);
}
