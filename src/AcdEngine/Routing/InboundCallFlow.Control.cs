using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Prompts;
using Hotline.Contracts.V1;
using Hotline.AcdEngine.Queues;

namespace Hotline.AcdEngine.Routing;

/// <summary>Agent call control (CTI Hold/Resume/Hangup, through the <see cref="TalkStage"/>) and overflow (<see cref="CallbackStage"/>, <see cref="VoicemailStage"/>, apology).</summary>
public sealed partial class InboundCallFlow
{
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

    /// <summary>Overflow (full, waited too long, closed): callback request, voicemail, or an apology.</summary>
    private async Task<(HangupBy, string, TimeSpan)> OverflowAsync(OverflowAction action, string why, CancellationToken ct)
    {
        _life.Move(CallStage.Overflow);
        _timeline.EndedAt = null;
        if (action == OverflowAction.Voicemail
            && await new VoicemailStage(_ctx, _session, _caller, _keys, _callerGone.Task).RunAsync(_queue, why, ct) is { } left)
            return (left.By, left.Reason, TimeSpan.Zero);
        if (action == OverflowAction.Callback)
        {
            var callback = await new CallbackStage(_ctx, _session, _caller, _keys, _callerGone.Task).RunAsync(_queue, why, ct);
            return (callback.By, callback.Reason, TimeSpan.Zero);
        }
        await PlayAsync(_ctx.Prompts.Prompt(why == "closed" ? PromptNames.Closed : PromptNames.AllBusy), ct);
        return (HangupBy.System, why, TimeSpan.Zero);
    }
}
