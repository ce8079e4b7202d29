using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Queues;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

public sealed partial class InboundCallFlow
{
    private const int MaxOverflowHops = 3;

    /// <summary>Queue with hold music and announcements until an agent answers, the caller leaves, or overflow.</summary>
    private async Task<(HangupBy, string, TimeSpan)> QueueAsync(CancellationToken ct)
    {
        for (var hop = 0; ; hop++)
        {
            // A reload removed the queue this call chose before it (menu, overflow): the hotline's default queue now.
            if (!_ctx.Queues.Exists(_queue)) _queue = _ctx.Queues.DefaultQueue;
            var options = _ctx.Queues.Options(_queue);
            var queued = _ctx.Queues.TryEnqueue(CallId, _queue, out var position);
            if (queued is null)
            {
                LogOverflow(_ctx.Logger, CallId, _queue, "full");
                if (options.Overflow == OverflowAction.Queue && hop < MaxOverflowHops)
                {
                    _queue = options.OverflowQueue;
                    continue;
                }
                return await OverflowAsync(options.Overflow == OverflowAction.Queue ? OverflowAction.Announce : options.Overflow, "queue-full", ct);
            }
            _life.Move(CallStage.Queued);
            _timeline.QueuedAt ??= queued.EnteredAt;
            _ctx.Stats.CountOffered(_queue);
            var serviceLevel = _ctx.Queues.ServiceLevel(_queue);
            _session.Emit(new CallEvent { Queued = new CallQueued { Queue = _queue, Position = (uint)position, ServiceLevelMs = (uint)serviceLevel.TotalMilliseconds } });
            var outcome = await WaitForAgentAsync(queued, options, serviceLevel, ct);
            if (outcome is not null) return outcome.Value;
            // Waited too long (Acd:Queues:<name>:MaxWaitSeconds).
            LogOverflow(_ctx.Logger, CallId, _queue, "max-wait");
            if (options.Overflow == OverflowAction.Queue && hop < MaxOverflowHops)
            {
                _queue = options.OverflowQueue;
                continue;
            }
            _timeline.LeftQueueAt = _ctx.Time.GetUtcNow();
            return await OverflowAsync(options.Overflow == OverflowAction.Queue ? OverflowAction.Announce : options.Overflow, "max-wait", ct);
        }
    }

    /// <summary>Null when the maximum wait passed (the caller has left the queue); else the call's outcome.</summary>
    private async Task<(HangupBy, string, TimeSpan)?> WaitForAgentAsync(QueuedCall queued, QueueOptions options, TimeSpan serviceLevel, CancellationToken ct)
    {
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Timers first, then the music: once the caller hears hold music every deadline of this wait is set.
        var maxWait = options.MaxWaitSeconds > 0
            ? Task.Delay(queued.EnteredAt + TimeSpan.FromSeconds(options.MaxWaitSeconds) - _ctx.Time.GetUtcNow(), _ctx.Time, lifetime.Token)
            : Task.Delay(Timeout.Infinite, lifetime.Token);
        var period = TimeSpan.FromSeconds(_ctx.Options.AnnounceEverySeconds);
        var announce = NextAnnouncement(period, lifetime.Token);
        StartHoldMusic(ct);
        Task<IReadOnlyList<AgentSnapshot>>? offer = null;
        try
        {
            while (true)
            {
                offer = _ctx.Queues.NextOfferAsync(queued);
                await Task.WhenAny(offer, _callerGone.Task, maxWait, announce);
                if (_callerGone.Task.IsCompleted && !offer.IsCompletedSuccessfully)
                {
                    var abandoned = Abandoned(queued, AbandonPoint.Queue);
                    ReturnUnusedOffer(offer);
                    return abandoned;
                }
                if (offer.IsCompletedSuccessfully)
                {
                    var answered = await RingAsync(queued, offer.Result, serviceLevel, ct);
                    if (answered is not null) return await TalkAsync(answered, ct);
                    if (_callerGone.Task.IsCompleted) return Abandoned(queued, AbandonPoint.Ringing);
                    _life.Move(CallStage.Queued); // RONA, declined or unreachable: the caller waits again in the same place.
                    if (maxWait.IsCompleted) break;
                    _ctx.Queues.Requeue(queued);
                    continue;
                }
                if (maxWait.IsCompleted) break;
                if (announce.IsCompleted)
                {
                    AnnouncePosition(queued, ct);
                    announce = NextAnnouncement(period, lifetime.Token);
                }
            }
            _ctx.Queues.Leave(queued);
            if (offer is not null) ReturnUnusedOffer(offer);
            return null;
        }
        finally
        {
            await lifetime.CancelAsync();
        }
    }

    /// <summary>
    /// After the caller left the queue unanswered (hung up, or the maximum wait passed): the dispatcher may have
    /// reserved agents for them in that same instant, after this flow last looked. Leaving the queue cancels an offer
    /// not yet made, so once left the offer is settled; one already made is handed back here, or its agents would
    /// stay Ringing for a call that never rings them (found by the 5-minute TicketApi outage under load, issue 21).
    /// </summary>
    private void ReturnUnusedOffer(Task<IReadOnlyList<AgentSnapshot>> offer)
    {
        if (!offer.IsCompletedSuccessfully) return;
        foreach (var agent in offer.Result) _ctx.Roster.ReleaseRing(agent.Id, CallId, null);
    }

    private Task NextAnnouncement(TimeSpan period, CancellationToken token) =>
        period > TimeSpan.Zero ? Task.Delay(period, _ctx.Time, token) : Task.Delay(Timeout.Infinite, token);

    private void StartHoldMusic(CancellationToken ct) => _ = _caller.PlayAsync(_ctx.Prompts.HoldMusic(), ct);

    /// <summary>
    /// "You are number N", and the expected wait when it can be estimated (<see cref="Queues.WaitEstimator"/>), then
    /// back to the music, unless the caller was connected meanwhile.
    /// </summary>
    private void AnnouncePosition(QueuedCall queued, CancellationToken ct)
    {
        var position = _ctx.Queues.PositionOf(queued);
        if (position == 0) return;
        int? minutes = _ctx.Queues.ExpectedWait(queued) is { } wait ? Queues.WaitEstimator.MinutesToSay(wait) : null;
        _ = _caller.PlayAsync(_ctx.Prompts.Position(position, minutes), ct).ContinueWith(_ =>
        {
            lock (_gate)
            {
                if (_life.Stage is CallStage.Queued or CallStage.Ringing && _ctx.Queues.PositionOf(queued) > 0) StartHoldMusic(ct);
            }
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private (HangupBy, string, TimeSpan) Abandoned(QueuedCall queued, AbandonPoint where)
    {
        var now = _ctx.Time.GetUtcNow();
        _ctx.Queues.Leave(queued);
        _timeline.LeftQueueAt = now;
        _timeline.EndedAt = now;
        var wait = _timeline.Wait(now);
        _ctx.Stats.CountAbandoned(_queue);
        _session.Emit(new CallEvent { Abandoned = new CallAbandoned { Queue = _queue, WaitMs = Tracking.CallTimeline.Ms(wait), Where = where } });
        LogAbandoned(_ctx.Logger, CallId, _queue, (long)wait.TotalMilliseconds, where);
        return (HangupBy.Caller, "abandoned", TimeSpan.Zero);
    }

    /// <summary>The caller is talking with an agent until either hangs up; then the agent's wrap-up.</summary>
    private async Task<(HangupBy, string, TimeSpan)> TalkAsync(TalkState talk, CancellationToken ct)
    {
        await Task.WhenAny(_callerGone.Task, talk.AgentGone.Task);
        if (DepartmentStaysOn(talk)) return await ContinueWithDepartmentAsync(talk, ct);
        var now = _ctx.Time.GetUtcNow();
        _timeline.EndedAt = now;
        bool byAgent;
        lock (_gate)
        {
            byAgent = _agentHungUp || !_callerGone.Task.IsCompleted;
            if (_life.TryResume()) _timeline.HoldEnded(now);
        }
        bool silent;
        lock (_gate) silent = _silentCaller;
        var reason = silent ? "silent-caller"
            : _callerGone.Task.IsCompleted && _callerGone.Task.Result == HangupCause.MediaTimeout ? "media-timeout" : "normal";
        if (talk.Leg.State != CallLegState.Ended) await IgnoreFailureAsync(() => talk.Leg.HangupAsync(CancellationToken.None));
        var wrapUpTask = _ctx.Roster.EndCall(talk.AgentId, CallId);
        if (byAgent && !silent)
        {
            // The agent left first: the caller rates the service.
            lock (_gate)
                if (_session.HasSurvey) _life.TryMove(CallStage.Survey);
            await _session.SurveyAsync(_caller, talk.AgentId, _queue, ct);
        }
        if (_caller.State != CallLegState.Ended) await IgnoreFailureAsync(() => _caller.HangupAsync(CancellationToken.None));
        var wrapUp = await wrapUpTask.WaitAsync(ct);
        if (_timeline.AnsweredAt is { } answeredAt) _ctx.Queues.Estimates.RecordHandled(_queue, now - answeredAt + wrapUp);
        return (byAgent ? HangupBy.Agent : HangupBy.Caller, reason, wrapUp);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} abandoned in {Queue} after {WaitMs} ms ({Where})")]
    private static partial void LogAbandoned(ILogger logger, string callId, string queue, long waitMs, AbandonPoint where);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} overflows from {Queue}: {Why}")]
    private static partial void LogOverflow(ILogger logger, string callId, string queue, string why);
}
