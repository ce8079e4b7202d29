using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Tracking;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

public sealed partial class InboundCallFlow
{
    /// <summary>The ring stage (<see cref="RingStage"/>); the first agent to answer is connected here.</summary>
    private async Task<TalkStage?> RingAsync(QueuedCall queued, IReadOnlyList<AgentSnapshot> agents, TimeSpan serviceLevel)
    {
        _life.Move(CallStage.Ringing);
        var ring = new RingStage(_ctx, _session, _caller, _callerGone.Task);
        return await ring.RunAsync(_queue, agents, (agent, leg, attempt) => Connect(queued, agent, leg, attempt, serviceLevel));
    }

    private TalkStage Connect(QueuedCall queued, AgentSnapshot agent, ICallLeg leg, RingAttempt attempt, TimeSpan serviceLevel)
    {
        var now = _ctx.Time.GetUtcNow();
        _ctx.Queues.Leave(queued);
        var talk = new TalkStage(_session, _caller, _callerGone.Task, agent.Id, leg, _ctx.Telephony, _ctx.Prompts, _ctx.Time, _ctx.Logger, InConference);
        attempt.End = now;
        attempt.Result = RingResult.Answered;
        _ctx.Roster.Connect(agent.Id, CallId);
        _owner.Run(() =>
        {
            // One command: a key, a hold or a REFER from the agent's phone (a command too) finds the call talking,
            // its handlers in place and the bridge made, never half of it.
            _parties.Talk = talk;
            _life.Move(CallStage.Talking);
            WatchAgentPhone(agent.Id, leg);
            SilentCallerWatch.On(leg, _owner, _ctx.Options.FeatureCodes.SilentCaller, () => _ = SilentCallerAsync(agent.Id, CancellationToken.None));
            if (agent.TraineeNumber.Length > 0) _ = GreetAsTraineeAsync(talk, agent.TraineeNumber);
            else _ctx.Telephony.Bridge(_caller, leg);
        });
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
    private Task GreetAsTraineeAsync(TalkStage talk, string agentNumber) =>
        talk.GreetThenBridgeAsync(_ctx.Prompts.TraineeGreeting(agentNumber), _ctx.Prompts.TraineeGreeting(agentNumber));

    /// <summary>The call is in a mixer (three-way, monitor): no hold, no silent-caller closing, no trainee bridge.</summary>
    private bool InConference() => _owner.Run(() => _parties.Three.Conference is not null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} answered by {AgentId} after {WaitMs} ms (within service level: {Within})")]
    private static partial void LogAnswered(ILogger logger, string callId, string agentId, long waitMs, bool within);
}
