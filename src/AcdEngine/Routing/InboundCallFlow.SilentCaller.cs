using Hotline.AcdEngine.Prompts;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// Silent caller (DOMAIN.md "The call": the caller says nothing once connected): the agent ends the call with the
/// standard closing — "Sorry, I cannot hear you; please call again. Thank you for calling, goodbye." — played by the
/// engine to the caller (<c>silent-caller.wav</c>), then both legs are hung up. No survey (no service was given);
/// the timeline keeps when it was said and the call ends with reason "silent-caller", hung up by the agent.
/// The agent triggers it from the phone (<c>Acd:FeatureCodes:SilentCaller</c>, default <c>*99</c>, during the call)
/// or from the desktop through <see cref="SilentCallerAsync"/>.
/// </summary>
public sealed partial class InboundCallFlow
{
    private bool _silentCaller;

    /// <summary>Plays the silent-caller closing to the caller, then ends the call; false (and why) when not the agent's call.</summary>
    public async Task<(bool Ok, string Error)> SilentCallerAsync(string agentId, CancellationToken ct)
    {
        TalkState talk;
        Task closing;
        lock (_gate)
        {
            if (_talk is null || _talk.AgentId != agentId || _three.AgentLeft) return (false, "The agent is not talking on this call.");
            if (_three.Conference is not null) return (false, "Not during a three-way call.");
            if (_silentCaller) return (false, "The silent-caller closing is already playing.");
            _silentCaller = true;
            _agentHungUp = true;
            talk = _talk;
            _timeline.SilentCallerAt = _ctx.Time.GetUtcNow();
            _talk.HoldAnnouncements?.Cancel();
            talk.Leg.StopAudio(); // The agent hears silence; the caller the closing instead of the agent.
            closing = _caller.PlayAsync(_ctx.Prompts.Prompt(PromptNames.SilentCaller), ct);
        }
        LogSilentCaller(_ctx.Logger, CallId, agentId);
        await Task.WhenAny(closing, _callerGone.Task);
        if (talk.Leg.State != CallLegState.Ended) await IgnoreFailureAsync(() => talk.Leg.HangupAsync(CancellationToken.None));
        talk.AgentGone.TrySetResult();
        return (true, "");
    }

    /// <summary>Watches the agent's phone for the silent-caller code (keys in order; any other key starts over).</summary>
    private void WatchSilentCallerCode(string agentId, ICallLeg leg)
    {
        var code = _ctx.Options.FeatureCodes.SilentCaller;
        if (string.IsNullOrEmpty(code)) return;
        var matched = 0;
        var gate = new Lock();
        leg.Dtmf += (_, e) =>
        {
            bool complete;
            lock (gate)
            {
                matched = e.Digit == code[matched] ? matched + 1 : e.Digit == code[0] ? 1 : 0;
                complete = matched == code.Length;
                if (complete) matched = 0;
            }
            if (complete) _ = SilentCallerAsync(agentId, CancellationToken.None);
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: agent {AgentId} ends a silent call with the closing prompt")]
    private static partial void LogSilentCaller(ILogger logger, string callId, string agentId);
}
