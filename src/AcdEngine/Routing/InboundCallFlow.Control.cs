using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Prompts;
using Hotline.Contracts.V1;
using Hotline.AcdEngine.Queues;

namespace Hotline.AcdEngine.Routing;

/// <summary>Agent call control (CTI Hold/Resume/Hangup) and overflow.</summary>
public sealed partial class InboundCallFlow
{
    /// <summary>Caller hears hold music, the agent silence (DOMAIN.md: hold while the agent looks something up).</summary>
    public bool Hold(string agentId, out string error)
    {
        lock (_gate)
        {
            if (_talk is null || _talk.AgentId != agentId) { error = "The agent is not talking on this call."; return false; }
            if (_life.IsOnHold) { error = "The call is already on hold."; return false; }
            if (_three.Conference is not null) { error = "A conference cannot be put on hold."; return false; }
            if (!_life.TryHold()) { error = $"The call cannot be put on hold while {_life.Stage}."; return false; }
            var now = _ctx.Time.GetUtcNow();
            _timeline.HoldStarted(now);
            _talk.Leg.StopAudio();
            StartHoldMusic(CancellationToken.None);
            _talk.HoldAnnouncements = new CancellationTokenSource();
            _ = AnnounceHoldAsync(_talk, _talk.HoldAnnouncements.Token);
        }
        _session.Emit(new CallEvent { Held = new CallHeld { AgentId = agentId } });
        error = "";
        return true;
    }

    public bool Resume(string agentId, out string error)
    {
        TimeSpan held;
        lock (_gate)
        {
            if (_talk is null || _talk.AgentId != agentId) { error = "The agent is not talking on this call."; return false; }
            if (!_life.TryResume()) { error = "The call is not on hold."; return false; }
            _talk.HoldAnnouncements?.Cancel();
            _talk.HoldAnnouncements?.Dispose();
            _talk.HoldAnnouncements = null;
            held = _timeline.HoldEnded(_ctx.Time.GetUtcNow());
            _ctx.Telephony.Bridge(_caller, _talk.Leg);
        }
        _session.Emit(new CallEvent { Resumed = new CallResumed { AgentId = agentId, HeldMs = Tracking.CallTimeline.Ms(held) } });
        error = "";
        return true;
    }

    /// <summary>DOMAIN.md: a hold over 30 s must be announced — every 30 s on hold the caller hears a prompt, then music.</summary>
    private async Task AnnounceHoldAsync(TalkState talk, CancellationToken token)
    {
        try
        {
            while (true)
            {
                await Task.Delay(HoldAnnouncementPeriod, _ctx.Time, token);
                Task prompt;
                lock (_gate)
                {
                    if (token.IsCancellationRequested || !_life.IsOnHold || _life.IsEnded) return;
                    prompt = _caller.PlayAsync(_ctx.Prompts.Prompt(PromptNames.StillHolding), token);
                }
                await prompt;
                lock (_gate)
                {
                    if (token.IsCancellationRequested || !_life.IsOnHold || _life.IsEnded) return;
                    StartHoldMusic(CancellationToken.None);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Resumed or ended.
        }
    }

    private static readonly TimeSpan HoldAnnouncementPeriod = TimeSpan.FromSeconds(30);

    private void StartHoldMusic(CancellationToken ct) => _ = _caller.PlayAsync(_ctx.Prompts.HoldMusic(), ct);

    /// <summary>The agent ends the call from the desktop.</summary>
    public async Task<ControlOutcome> HangupByAgentAsync(string agentId, CancellationToken ct)
    {
        TalkState talk;
        lock (_gate)
        {
            if (_talk is null || _talk.AgentId != agentId) return (false, "The agent is not talking on this call.");
            _agentHungUp = true;
            talk = _talk;
        }
        await talk.Leg.HangupAsync(ct);
        talk.AgentGone.TrySetResult();
        return (true, "");
    }

    /// <summary>CTI TransferToSurvey: the agent leaves, the caller goes to the survey (even when <c>Survey:Enabled</c> is off).</summary>
    public async Task<ControlOutcome> TransferToSurveyAsync(string agentId, CancellationToken ct)
    {
        if (!_session.HasSurvey) return (false, "The survey is not configured on this engine.");
        lock (_gate)
        {
            if (_talk is null || _talk.AgentId != agentId) return (false, "The agent is not talking on this call.");
            _session.RequestSurvey();
        }
        return await HangupByAgentAsync(agentId, ct);
    }

    /// <summary>Overflow (full, waited too long, closed): callback request, voicemail, or an apology.</summary>
    private async Task<(HangupBy, string, TimeSpan)> OverflowAsync(OverflowAction action, string why, CancellationToken ct)
    {
        _life.Move(CallStage.Overflow);
        _timeline.EndedAt = null;
        if (action == OverflowAction.Voicemail && await VoicemailAsync(why, ct) is { } left) return left;
        if (action == OverflowAction.Callback)
        {
            // The caller keys the number to call back and #, or just # (or nothing) to keep their own.
            var number = await CollectNumberAsync(ct);
            if (_callerGone.Task.IsCompleted && number is null) return (HangupBy.Caller, "abandoned-" + why, TimeSpan.Zero);
            var callback = string.IsNullOrEmpty(number) ? _caller.RemoteUser : number;
            _session.Emit(new CallEvent { CallbackRequested = new CallbackRequested { Queue = _queue, Number = callback } });
            await PlayAsync(_ctx.Prompts.Prompt(PromptNames.CallbackThanks), ct);
            return (HangupBy.System, "callback-" + why, TimeSpan.Zero);
        }
        await PlayAsync(_ctx.Prompts.Prompt(why == "closed" ? PromptNames.Closed : PromptNames.AllBusy), ct);
        return (HangupBy.System, why, TimeSpan.Zero);
    }

    /// <summary>Digits until # (max 20) or a pause; "" for none; null when the caller hung up.</summary>
    private async Task<string?> CollectNumberAsync(CancellationToken ct)
    {
        _keys.Clear();
        var digits = new System.Text.StringBuilder();
        var timeout = TimeSpan.FromSeconds(_ctx.Options.Ivr.TimeoutSeconds * 2);
        var prompt = _caller.PlayAsync(_ctx.Prompts.Prompt(PromptNames.CallbackEnterNumber), ct);
        while (digits.Length < 20)
        {
            var key = await _keys.NextAsync(prompt, timeout, ct);
            prompt = Task.CompletedTask;
            if (_callerGone.Task.IsCompleted) return null;
            if (key is null or '#') break;
            if (char.IsAsciiDigit(key.Value)) digits.Append(key.Value);
        }
        return digits.Length >= 3 ? digits.ToString() : "";
    }
}
