using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Conference;
using Hotline.AcdEngine.Greetings;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Tracking;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Hotline.Cti.Media;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// One inbound call through the hotline (ARCHITECTURE.md "a call's life"): offered → greeting → IVR → queue with
/// hold music and announcements → ring agents (RONA → next) → answer and bridge → talk → wrap-up → ended; or
/// abandoned / overflowed. The flow is the only writer of its call's timeline and events.
/// </summary>
public sealed partial class InboundCallFlow
{
    private readonly CallFlowContext _ctx;
    private readonly ICallLeg _caller;
    private readonly CallSession _session;
    private readonly CallTimeline _timeline; // _session's, the flow's single path writes it
    private readonly TaskCompletionSource<HangupCause> _callerGone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CallerKeys _keys;
    private readonly CallOwner _owner; // _session's: the one owner of this call's state (docs/acd.md).
    private string _queue;
    private string _nature = "";
    private string _ivrDigits = "";
    private readonly CallLifecycle _life;
    private readonly CallParties _parties; // The conference stages' view of this call (caller, talk, three-way).
    private readonly ConsultStage _consult;
    private volatile bool _operatorHungUp; // HangupByOperatorAsync: the call ends as "operator-hangup".

    public InboundCallFlow(CallFlowContext ctx, ICallLeg caller)
    {
        _ctx = ctx;
        _caller = caller;
        _session = ctx.NewSession(CallDirection.Inbound);
        _life = _session.Lifecycle;
        _timeline = _session.Timeline;
        _owner = _session.Owner;
        _queue = ctx.Options.DefaultQueue;
        _parties = new CallParties(_session, caller, _callerGone.Task, ctx.Telephony, ctx.Time);
        _consult = new ConsultStage(_parties, ctx.Departments, ctx.Options.HotlineNumber, ctx.Logger);
        caller.Ended += (_, e) => _callerGone.TrySetResult(e.Cause);
        _keys = new CallerKeys(caller, _callerGone.Task, ctx.Time);
        caller.Dtmf += (_, e) => _keys.Add(e.Digit);
        if (caller.State == CallLegState.Ended) _callerGone.TrySetResult(HangupCause.RemoteHangup);
    }

    /// <summary>The engine's id of this call (stable for its whole life; on every event).</summary>
    public string CallId => _session.CallId;

    /// <summary>Where the caller is now (<see cref="CallLifecycle"/>).</summary>
    public CallStage Stage => _life.Stage;

    /// <summary>"talking" (with an agent), "queued" (waiting for one) or "ivr" (greeting, menu, survey, voicemail).</summary>
    public string Phase => _life.Phase;

    public string CallerNumber => _caller.RemoteUser;
    public string CallerName => _caller.RemoteDisplayName;
    public string Queue => _queue;
    public string Nature => _nature;
    public string IvrDigits => _ivrDigits;

    /// <summary>When the caller entered the queue (the screen pop's "wait so far"), if queued.</summary>
    public DateTimeOffset? QueuedAt => _timeline.QueuedAt;

    /// <summary>The agent talking with the caller, if any (read from any thread: the owner's last word on it).</summary>
    public string? AgentId => _owner.TryRun(() => _parties.Three.AgentLeft ? null : _parties.Talk?.AgentId, ended: null);

    /// <summary>The call's life (<see cref="CallSession.RunAsync"/>): its phases, then the teardown and CallEnded.</summary>
    public Task RunAsync(CancellationToken ct) => _session.RunAsync(
        new CallOffered { CallerNumber = _caller.RemoteUser, CallerName = _caller.RemoteDisplayName, DialedNumber = _caller.DialedNumber },
        async token =>
        {
            LogOffered(_ctx.Logger, CallId, Routing.CallerNumber.Mask(_caller.RemoteUser), _caller.DialedNumber);
            CallOutcome outcome = await RunPhasesAsync(token);
            return _operatorHungUp ? outcome with { By = HangupBy.System, Reason = "operator-hangup" } : outcome;
        },
        legs: () => [_caller],
        closeConference: _parties.CloseAsync,
        ct: ct);

    private async Task<(HangupBy, string, TimeSpan)> RunPhasesAsync(CancellationToken ct)
    {
        if (!_ctx.Hours.IsOpen(_ctx.Time.GetUtcNow()))
        {
            await _caller.AnswerAsync(ct);
            return await OverflowAsync(_ctx.Hours.ClosedAction, "closed", ct);
        }
        await _caller.AnswerAsync(ct);
        _life.Move(CallStage.Greeting);
        _timeline.IvrStart = _ctx.Time.GetUtcNow();
        // Acd:Greeting ("" = none): the whole greeting plays before the menu or the queue (DOMAIN.md "The call");
        // on a holiday of the calendar, its holiday variant (Acd:Greetings:Holiday).
        var greeting = new GreetingChoice(_ctx.Options).For(_ctx.Time.GetUtcNow());
        var greeted = string.IsNullOrEmpty(greeting) || await PlayAsync(_ctx.Prompts.Prompt(greeting), ct);
        if (!greeted || !await RunIvrAsync(ct))
            return AbandonedBeforeQueue();
        _timeline.IvrEnd = _ctx.Time.GetUtcNow();
        return await QueueAsync(ct);
    }

    /// <summary>The IVR stage (<see cref="IvrStage"/>): its choice sets the queue and nature; false when the caller hung up.</summary>
    private async Task<bool> RunIvrAsync(CancellationToken ct)
    {
        if (_ctx.Options.Ivr.Options.Count == 0) return true;
        _life.Move(CallStage.Ivr);
        var outcome = await new IvrStage(_ctx, _caller, _keys, _callerGone.Task).RunAsync(ct);
        if (outcome.CallerLeft) return false;
        if (outcome.Choice is { } choice)
        {
            _queue = choice.Queue;
            _nature = choice.Nature;
            _ivrDigits = outcome.Digits;
            _session.Emit(new CallEvent { IvrChoice = new IvrChoice { Digits = _ivrDigits, Queue = _queue, Nature = _nature } });
        }
        return true;
    }

    private (HangupBy, string, TimeSpan) AbandonedBeforeQueue()
    {
        _timeline.EndedAt = _ctx.Time.GetUtcNow();
        _timeline.IvrEnd ??= _timeline.EndedAt;
        _session.Emit(new CallEvent { Abandoned = new CallAbandoned { Queue = _queue, WaitMs = 0, Where = AbandonPoint.Ivr } });
        return (HangupBy.Caller, "abandoned", TimeSpan.Zero);
    }

    /// <summary>Plays a finite source; false when the caller hung up meanwhile.</summary>
    private Task<bool> PlayAsync(IAudioSource source, CancellationToken ct) => _caller.PlayUnlessGoneAsync(source, _callerGone.Task, ct);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} offered from {Caller} to {Dialed}")]
    private static partial void LogOffered(ILogger logger, string callId, string caller, string dialed);
}
