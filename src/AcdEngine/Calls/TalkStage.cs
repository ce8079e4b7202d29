using Hotline.AcdEngine.Prompts;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Hotline.Cti.Media;
using Hotline.Cti.Media.Sources;

namespace Hotline.AcdEngine.Calls;

/// <summary>
/// The talking stage of one call (docs/acd.md step 7): the caller with the agent who answered; hold (music, and every
/// 30 s on hold the <c>still-holding</c> prompt, DOMAIN.md); the agent leaving (desk, phone, silent caller). It owns the
/// agent's leg, whether the agent is gone, the hold announcements and how the agent ended the call. The stage and the
/// hold themselves are the call's <see cref="CallLifecycle"/>.
/// </summary>
/// <remarks>
/// Its state is read and changed only on the call's <see cref="CallOwner"/> (the session's), the same the orchestrator
/// and the conference stages use, so a hold and a consult or a monitor joining see one another. Called from a command
/// already on the owner (the flow, a conference stage), a section runs inline; from outside (CTI, the phone's
/// re-INVITE, the hold timer) it is a command. Playing and hanging up are started inside, awaited outside.
/// </remarks>
internal sealed partial class TalkStage
{
    /// <summary>DOMAIN.md: a hold over 30 s must be announced.</summary>
    public static readonly TimeSpan HoldAnnouncementPeriod = TimeSpan.FromSeconds(30);

    public const string NotTalking = "The agent is not talking on this call.";

    private readonly CallSession _session;
    private readonly ICallLeg _caller;
    private readonly Task _callerGone;
    private readonly CallOwner _owner;
    private readonly ITelephony _telephony;
    private readonly IPromptLibrary _prompts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<bool> _inConference;
    private readonly TaskCompletionSource _agentGone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _holdAnnouncements;
    private bool _agentHungUp;
    private bool _silentCaller;

    /// <summary>
    /// The agent answered on <c>agentLeg</c>. <c>inConference</c>: whether the call is in a mixer now (three-way,
    /// monitor), asked on the owner — no hold and no silent-caller closing then.
    /// </summary>
    public TalkStage(CallSession session, ICallLeg caller, Task callerGone, string agentId, ICallLeg agentLeg,
        ITelephony telephony, IPromptLibrary prompts, TimeProvider time, ILogger logger, Func<bool> inConference)
    {
        (_session, _caller, _callerGone, _owner) = (session, caller, callerGone, session.Owner);
        (_telephony, _prompts, _time, _logger, _inConference) = (telephony, prompts, time, logger, inConference);
        AgentId = agentId;
        Leg = agentLeg;
        agentLeg.Ended += (_, _) => _agentGone.TrySetResult();
        if (agentLeg.State == CallLegState.Ended) _agentGone.TrySetResult();
    }

    public string AgentId { get; }

    /// <summary>The agent's leg (the answered INVITE).</summary>
    public ICallLeg Leg { get; }

    /// <summary>Completes when the agent is gone: their leg ended, or they left (desk, transfer, silent caller).</summary>
    public Task AgentGone => _agentGone.Task;

    /// <summary>The agent ended the call (desk hang-up, survey hand-off, silent caller): hung up by the agent.</summary>
    public bool AgentHungUp
    {
        get { return _owner.TryRun(() => _agentHungUp, ended: Volatile.Read(ref _agentHungUp)); }
    }

    /// <summary>The silent-caller closing was played: no survey, reason "silent-caller".</summary>
    public bool SilentCaller
    {
        get { return _owner.TryRun(() => _silentCaller, ended: Volatile.Read(ref _silentCaller)); }
    }

    /// <summary>The agent has left the call (their leg is being hung up or a transfer released them).</summary>
    public void MarkAgentGone() => _agentGone.TrySetResult();

    /// <summary>Caller hears hold music, the agent silence (DOMAIN.md: hold while the agent looks something up).</summary>
    public bool Hold(out string error)
    {
        var life = _session.Lifecycle;
        var refused = _owner.TryRun(() =>
        {
            if (life.IsOnHold) return "The call is already on hold.";
            if (_inConference()) return "A conference cannot be put on hold.";
            if (!life.TryHold()) return $"The call cannot be put on hold while {life.Stage}.";
            _session.Timeline.HoldStarted(_time.GetUtcNow());
            Leg.StopAudio();
            PlayHoldMusic();
            _holdAnnouncements = new CancellationTokenSource();
            _ = AnnounceHoldAsync(_holdAnnouncements.Token);
            return null;
        }, ended: $"The call cannot be put on hold while {CallStage.Ended}.");
        if (refused is not null) { error = refused; return false; }
        _session.Emit(new CallEvent { Held = new CallHeld { AgentId = AgentId } });
        error = "";
        return true;
    }

    /// <summary>Caller and agent bridged again; <see cref="CallResumed"/> with how long the hold lasted.</summary>
    public bool Resume(out string error)
    {
        var held = _owner.TryRun<TimeSpan?>(() =>
        {
            if (!_session.Lifecycle.IsOnHold) return null;
            var lasted = EndHold();
            Bridge();
            return lasted;
        }, ended: null);
        if (held is null) { error = "The call is not on hold."; return false; }
        _session.Emit(new CallEvent { Resumed = new CallResumed { AgentId = AgentId, HeldMs = Tracking.CallTimeline.Ms(held.Value) } });
        error = "";
        return true;
    }

    /// <summary>Ends a hold without an event (a consult joined, a transfer connected): how long it lasted.</summary>
    public TimeSpan EndHold() => _owner.Run(() =>
    {
        _session.Lifecycle.TryResume();
        _holdAnnouncements?.Cancel();
        _holdAnnouncements?.Dispose();
        _holdAnnouncements = null;
        return _session.Timeline.HoldEnded(_time.GetUtcNow());
    });

    /// <summary>Hold music to the caller (until something else is played to them).</summary>
    public void PlayHoldMusic() => _ = _caller.PlayAsync(_prompts.HoldMusic(), CancellationToken.None);

    /// <summary>Caller and agent hear each other (again).</summary>
    public void Bridge() => _telephony.Bridge(_caller, Leg);

    /// <summary>The agent ends the call from the desk (CTI Hangup, TransferToSurvey).</summary>
    public async Task HangupAsync(CancellationToken ct)
    {
        _owner.TryRun(() => _agentHungUp = true);
        await Leg.HangupAsync(ct);
        MarkAgentGone();
    }

    /// <summary>
    /// Silent caller (DOMAIN.md "The call"): the closing to the caller, the agent hears silence; then the agent's leg is
    /// hung up. Refused during a three-way call and while the closing already plays.
    /// </summary>
    public async Task<(bool Ok, string Error)> EndSilentCallAsync(CancellationToken ct)
    {
        var (closing, refused) = _owner.TryRun<(Task?, string?)>(() =>
        {
            if (_inConference()) return (null, "Not during a three-way call.");
            if (_silentCaller) return (null, "The silent-caller closing is already playing.");
            _silentCaller = true;
            _agentHungUp = true;
            _session.Timeline.SilentCallerAt = _time.GetUtcNow();
            _holdAnnouncements?.Cancel();
            Leg.StopAudio(); // The agent hears silence; the caller the closing instead of the agent.
            return (_caller.PlayAsync(_prompts.Prompt(PromptNames.SilentCaller), ct), null);
        }, ended: (null, NotTalking));
        if (closing is null) return (false, refused!);
        LogSilentCaller(_logger, _session.CallId, AgentId);
        await Task.WhenAny(closing, _callerGone);
        await CallSession.HangupQuietlyAsync(Leg);
        MarkAgentGone();
        return (true, "");
    }

    /// <summary>
    /// The trainee greeting (DOMAIN.md "The call"), heard by both, then the bridge — unless the agent did something
    /// meanwhile (hold, consult, transfer, conference), whose end restores the bridge itself.
    /// </summary>
    public async Task GreetThenBridgeAsync(IAudioSource toCaller, IAudioSource toAgent)
    {
        var callerHears = _caller.PlayAsync(toCaller, CancellationToken.None);
        var agentHears = Leg.PlayAsync(toAgent, CancellationToken.None);
        await Task.WhenAny(Task.WhenAll(callerHears, agentHears), _callerGone, AgentGone);
        _owner.TryRun(() =>
        {
            var life = _session.Lifecycle;
            if (life.Stage != CallStage.Talking || life.IsOnHold || _inConference()) return;
            if (_callerGone.IsCompleted || AgentGone.IsCompleted) return;
            Bridge();
        });
    }

    /// <summary>
    /// The talk is over — the caller or the agent left (inbound and outbound alike): the end instant is the call's, an
    /// open hold is closed (counted to the hold time), the agent's leg hung up and their wrap-up started
    /// (<paramref name="startWrapUp"/>); when the agent left first the caller goes to the survey (not after the
    /// silent-caller closing); then the caller's leg is hung up. Whether the agent ended it, and the wrap-up once over.
    /// </summary>
    public async Task<(bool ByAgent, TimeSpan WrapUp)> EndAsync(Func<Task<TimeSpan>> startWrapUp, string queue, CancellationToken ct)
    {
        var life = _session.Lifecycle;
        var endedAt = _time.GetUtcNow();
        var byAgent = _owner.Run(() =>
        {
            _session.EndTalkAt(endedAt);
            return _agentHungUp || !_callerGone.IsCompleted;
        });
        await CallSession.HangupQuietlyAsync(Leg);
        var wrapUp = startWrapUp();
        if (byAgent && !SilentCaller)
        {
            // The agent left first: the caller rates the service.
            _owner.Run(() =>
            {
                if (_session.HasSurvey) life.TryMove(CallStage.Survey);
            });
            await _session.SurveyAsync(_caller, AgentId, queue, ct);
        }
        await CallSession.HangupQuietlyAsync(_caller);
        return (byAgent, await wrapUp.WaitAsync(ct));
    }

    /// <summary>DOMAIN.md: every 30 s on hold the caller hears a prompt, then music again.</summary>
    private async Task AnnounceHoldAsync(CancellationToken token)
    {
        var life = _session.Lifecycle;
        try
        {
            while (true)
            {
                await Task.Delay(HoldAnnouncementPeriod, _time, token);
                // The timer's tick is a command: the owner decides whether the call is still on hold.
                var prompt = _owner.TryRun(() =>
                    token.IsCancellationRequested || !life.IsOnHold || life.IsEnded
                        ? null
                        : _caller.PlayAsync(_prompts.Prompt(PromptNames.StillHolding), token), ended: null);
                if (prompt is null) return;
                await prompt;
                var musicAgain = _owner.TryRun(() =>
                {
                    if (token.IsCancellationRequested || !life.IsOnHold || life.IsEnded) return false;
                    PlayHoldMusic();
                    return true;
                }, ended: false);
                if (!musicAgain) return;
            }
        }
        catch (OperationCanceledException)
        {
            // Resumed or ended.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: agent {AgentId} ends a silent call with the closing prompt")]
    private static partial void LogSilentCaller(ILogger logger, string callId, string agentId);
}
