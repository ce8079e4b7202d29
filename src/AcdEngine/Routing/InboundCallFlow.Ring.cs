using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Tracking;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>The caller and the agent who answered.</summary>
internal sealed class TalkState(string agentId, ICallLeg leg)
{
    public string AgentId { get; } = agentId;
    public ICallLeg Leg { get; } = leg;
    public TaskCompletionSource AgentGone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public CancellationTokenSource? HoldAnnouncements { get; set; }
}

public sealed partial class InboundCallFlow
{
    /// <summary>
    /// Rings the reserved agents (one, or all for ring-all) while the caller keeps hearing hold music. The first
    /// answer is bridged; the others are cancelled. No answer within the ring timeout → RONA: that agent is made
    /// not ready and the caller waits again. Caller hangs up → every INVITE is cancelled.
    /// </summary>
    private async Task<TalkState?> RingAsync(QueuedCall queued, IReadOnlyList<AgentSnapshot> agents, TimeSpan serviceLevel, CancellationToken ct)
    {
        _life.Move(CallStage.Ringing);
        var ringing = new List<(AgentSnapshot Agent, IOutboundCall Dial, RingAttempt Attempt)>(agents.Count);
        var ringTimeout = TimeSpan.FromSeconds(_ctx.Options.RingTimeoutSeconds);
        foreach (var agent in agents)
        {
            // Several engines: another may be ringing or talking with this agent (docs/scaling.md).
            if (!await _ctx.Roster.TryLeaseAsync(agent.Id, CallId)) continue;
            var attempt = _timeline.StartRing(agent.Id, _ctx.Time.GetUtcNow());
            _session.Emit(new CallEvent { AgentRinging = new AgentRinging { AgentId = agent.Id, Queue = _queue, Attempt = (uint)attempt.Attempt } });
            IOutboundCall dial;
            try
            {
                dial = _ctx.Telephony.Dial(agent.User, new DialOptions
                {
                    CallerId = _caller.RemoteUser,
                    DisplayName = _queue,
                    RingTimeout = ringTimeout,
                    Headers = new Dictionary<string, string>(StringComparer.Ordinal) { ["X-Hotline-Call"] = CallId },
                });
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IOException)
            {
                EndRing(agent.Id, attempt, RingResult.Failed, 0, "unreachable");
                continue;
            }
            ringing.Add((agent, dial, attempt));
        }

        TalkState? winner = null;
        var pending = ringing.ToList();
        while (pending.Count > 0 && winner is null)
        {
            var answers = pending.Select(r => (Task)r.Dial.Answered).Append(_callerGone.Task).ToArray();
            await Task.WhenAny(answers);
            if (_callerGone.Task.IsCompleted)
            {
                foreach (var r in pending) CancelRing(r.Dial, r.Agent.Id, r.Attempt);
                return null;
            }
            foreach (var r in pending.Where(r => r.Dial.Answered.IsCompleted).ToList())
            {
                pending.Remove(r);
                var result = r.Dial.Answered.IsCompletedSuccessfully ? r.Dial.Answered.Result : new DialResult(false, 0, "error");
                if (result.IsAnswered && winner is null)
                {
                    winner = Connect(queued, r.Agent, r.Dial.Leg, r.Attempt, serviceLevel);
                }
                else if (result.IsAnswered)
                {
                    // Ring-all: a second agent answered a moment later; release them.
                    _ = IgnoreFailureAsync(() => r.Dial.Leg.HangupAsync(CancellationToken.None));
                    EndRing(r.Agent.Id, r.Attempt, RingResult.Cancelled, 200, null);
                }
                else
                {
                    var (ringResult, notReady) = Classify(result);
                    EndRing(r.Agent.Id, r.Attempt, ringResult, result.SipStatus, notReady);
                    if (ringResult == RingResult.NoAnswer) LogRona(_ctx.Logger, CallId, r.Agent.Id, (long)ringTimeout.TotalMilliseconds);
                }
            }
        }
        foreach (var r in pending) CancelRing(r.Dial, r.Agent.Id, r.Attempt);
        return winner;
    }

    private TalkState Connect(QueuedCall queued, AgentSnapshot agent, ICallLeg leg, RingAttempt attempt, TimeSpan serviceLevel)
    {
        var now = _ctx.Time.GetUtcNow();
        _ctx.Queues.Leave(queued);
        var talk = new TalkState(agent.Id, leg);
        leg.Ended += (_, _) => talk.AgentGone.TrySetResult();
        if (leg.State == CallLegState.Ended) talk.AgentGone.TrySetResult();
        attempt.End = now;
        attempt.Result = RingResult.Answered;
        _ctx.Roster.Connect(agent.Id, CallId);
        var trainee = agent.TraineeNumber.Length > 0;
        if (!trainee) _ctx.Telephony.Bridge(_caller, leg);
        lock (_gate)
        {
            _talk = talk;
            _life.Move(CallStage.Talking);
        }
        if (trainee) _ = GreetAsTraineeAsync(talk, agent.TraineeNumber);
        WatchAgentPhone(agent.Id, leg);
        WatchSilentCallerCode(agent.Id, leg);
        _session.StartRecording(_caller); // The caller's leg hears every party: one WAV holds the call.
        _timeline.AnsweredAt = now;
        _timeline.LeftQueueAt = now;
        _timeline.FirstResponder ??= agent.Id; // DOMAIN.md: first-responder responsibility.
        var wait = _timeline.Wait(now);
        var within = wait <= serviceLevel;
        _ctx.Stats.CountAnswered(_queue, wait, within);
        _session.Emit(new CallEvent { RingEnded = new RingEnded { AgentId = agent.Id, Attempt = (uint)attempt.Attempt, Result = RingResult.Answered, RingMs = CallTimeline.Ms(now - attempt.Start), SipStatus = 200 } });
        _session.Emit(new CallEvent
        {
            Answered = new CallAnswered
            {
                AgentId = agent.Id,
                Queue = _queue,
                WaitMs = CallTimeline.Ms(wait),
                WithinServiceLevel = within,
                ServiceLevelMs = CallTimeline.Ms(serviceLevel),
            },
        });
        LogAnswered(_ctx.Logger, CallId, agent.Id, (long)wait.TotalMilliseconds, within);
        return talk;
    }

    /// <summary>
    /// The trainee variant of the greeting (DOMAIN.md "The call"; <c>Agents:N:Trainee</c>): "Hello, citizen hotline,
    /// trainee agent number 1 0 0 1 at your service", then the bridge. The agent hears it too, on purpose: it is their
    /// cue to speak (nobody talks over the announcement or into a line that is not bridged yet), and they hear the very
    /// number their caller was given and may quote in a complaint. The answer itself is counted when the agent
    /// answered (service level, CallAnswered), the announcement is part of the talk and of the recording (QA scores
    /// the greeting). Whatever the agent did meanwhile (hold, consult, transfer) wins: its end restores the bridge.
    /// </summary>
    private async Task GreetAsTraineeAsync(TalkState talk, string agentNumber)
    {
        var toCaller = _caller.PlayAsync(_ctx.Prompts.TraineeGreeting(agentNumber), CancellationToken.None);
        var toAgent = talk.Leg.PlayAsync(_ctx.Prompts.TraineeGreeting(agentNumber), CancellationToken.None);
        await Task.WhenAny(Task.WhenAll(toCaller, toAgent), _callerGone.Task, talk.AgentGone.Task);
        lock (_gate)
        {
            // Only a plain two-party talk gets the bridge: a hold, consult, transfer or conference restores it itself.
            if (_talk != talk || _life.Stage != CallStage.Talking || _life.IsOnHold || _three.Conference is not null) return;
            if (_callerGone.Task.IsCompleted || talk.AgentGone.Task.IsCompleted) return;
            _ctx.Telephony.Bridge(_caller, talk.Leg);
        }
    }

    private void CancelRing(IOutboundCall dial, string agentId, RingAttempt attempt)
    {
        dial.Cancel();
        EndRing(agentId, attempt, RingResult.Cancelled, 487, null);
    }

    private void EndRing(string agentId, RingAttempt attempt, RingResult result, int sipStatus, string? notReadyReason)
    {
        var now = _ctx.Time.GetUtcNow();
        attempt.End = now;
        attempt.Result = result;
        _ctx.Roster.ReleaseRing(agentId, CallId, notReadyReason);
        _session.Emit(new CallEvent { RingEnded = new RingEnded { AgentId = agentId, Attempt = (uint)attempt.Attempt, Result = result, RingMs = CallTimeline.Ms(now - attempt.Start), SipStatus = (uint)Math.Max(0, sipStatus) } });
    }

    /// <summary>ITelephony.Dial's outcomes: 408/0 no answer (RONA), 486/600/603 declined, 487 cancelled, else unreachable.</summary>
    private static (RingResult, string?) Classify(DialResult result) => result.SipStatus switch
    {
        0 or 408 => (RingResult.NoAnswer, "rona"),
        486 or 600 or 603 => (RingResult.Rejected, "declined"),
        487 => (RingResult.Cancelled, null),
        _ => (RingResult.Failed, "unreachable"),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} answered by {AgentId} after {WaitMs} ms (within service level: {Within})")]
    private static partial void LogAnswered(ILogger logger, string callId, string agentId, long waitMs, bool within);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: agent {AgentId} did not answer within {RingTimeoutMs} ms (RONA), made not ready")]
    private static partial void LogRona(ILogger logger, string callId, string agentId, long ringTimeoutMs);
}
