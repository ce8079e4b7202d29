using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Prompts;
using Hotline.AcdEngine.Conference;
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
        // The orchestrator sequences the two stages: wait in the queue → ring the offered agents → talk, or wait again.
        await using var wait = new QueueWaitStage(_ctx, _caller, _life, queued, options, _callerGone.Task, ct);
        while (true)
        {
            var outcome = await wait.NextAsync();
            if (outcome == QueueWaitOutcome.CallerLeft)
            {
                var abandoned = Abandoned(queued, AbandonPoint.Queue);
                wait.ReturnUnusedOffer(CallId);
                return abandoned;
            }
            if (outcome == QueueWaitOutcome.MaxWait) break;
            var answered = await RingAsync(queued, wait.Offer, serviceLevel);
            if (answered is not null) return await TalkAsync(answered, ct);
            if (_callerGone.Task.IsCompleted) return Abandoned(queued, AbandonPoint.Ringing);
            _life.Move(CallStage.Queued); // RONA, declined or unreachable: the caller waits again in the same place.
            if (wait.MaxWaitPassed) break;
            _ctx.Queues.Requeue(queued);
        }
        _ctx.Queues.Leave(queued);
        wait.ReturnUnusedOffer(CallId);
        return null;
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
    private async Task<(HangupBy, string, TimeSpan)> TalkAsync(TalkStage talk, CancellationToken ct)
    {
        await Task.WhenAny(_callerGone.Task, talk.AgentGone);
        var department = new DepartmentStaysStage(_parties, _ctx.Roster, _ctx.Logger);
        if (department.Applies(talk)) return await department.RunAsync(talk, ct); // Issue 8: the other two talk on.
        var (byAgent, wrapUp) = await talk.EndAsync(() => _ctx.Roster.EndCall(talk.AgentId, CallId), _queue, ct);
        var reason = talk.SilentCaller ? "silent-caller"
            : _callerGone.Task.IsCompleted && _callerGone.Task.Result == HangupCause.MediaTimeout ? "media-timeout" : "normal";
        if (_timeline is { AnsweredAt: { } answeredAt, EndedAt: { } endedAt })
            _ctx.Queues.Estimates.RecordHandled(_queue, endedAt - answeredAt + wrapUp);
        return (byAgent ? HangupBy.Agent : HangupBy.Caller, reason, wrapUp);
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} abandoned in {Queue} after {WaitMs} ms ({Where})")]
    private static partial void LogAbandoned(ILogger logger, string callId, string queue, long waitMs, AbandonPoint where);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} overflows from {Queue}: {Why}")]
    private static partial void LogOverflow(ILogger logger, string callId, string queue, string why);
}
