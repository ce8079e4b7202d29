using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Tracking;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// The ring stage of one offer (docs/acd.md step 4–5): rings the agents the queue reserved (one, or all for ring-all)
/// while the caller keeps hearing hold music. The first answer goes to <c>connect</c> (the orchestrator bridges it);
/// later answers are released; the rest are cancelled. No answer within <c>Acd:RingTimeoutSeconds</c> → RONA: that
/// agent is made not ready (<c>rona</c>). The caller hanging up cancels every INVITE. Its state — the dials still
/// ringing — lives and dies with one <see cref="RunAsync"/>.
/// </summary>
internal sealed partial class RingStage(CallFlowContext ctx, CallSession session, ICallLeg caller, Task callerGone)
{
    /// <summary>The winner as <paramref name="connect"/> made it, or null (nobody answered, or the caller left).</summary>
    public async Task<T?> RunAsync<T>(string queue, IReadOnlyList<AgentSnapshot> agents, Func<AgentSnapshot, ICallLeg, RingAttempt, T> connect)
        where T : class
    {
        var ringing = new List<(AgentSnapshot Agent, IOutboundCall Dial, RingAttempt Attempt)>(agents.Count);
        var ringTimeout = TimeSpan.FromSeconds(ctx.Options.RingTimeoutSeconds);
        foreach (var agent in agents)
        {
            // Several engines: another may be ringing or talking with this agent (docs/scaling.md).
            if (!await ctx.Roster.TryLeaseAsync(agent.Id, session.CallId)) continue;
            var attempt = session.Timeline.StartRing(agent.Id, ctx.Time.GetUtcNow());
            session.Emit(new CallEvent { AgentRinging = new AgentRinging { AgentId = agent.Id, Queue = queue, Attempt = (uint)attempt.Attempt } });
            IOutboundCall dial;
            try
            {
                dial = ctx.Telephony.Dial(agent.User, new DialOptions
                {
                    CallerId = caller.RemoteUser,
                    DisplayName = queue,
                    RingTimeout = ringTimeout,
                    Headers = new Dictionary<string, string>(StringComparer.Ordinal) { ["X-Hotline-Call"] = session.CallId },
                });
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IOException)
            {
                EndRing(agent.Id, attempt, RingResult.Failed, 0, "unreachable");
                continue;
            }
            ringing.Add((agent, dial, attempt));
        }

        T? winner = null;
        var pending = ringing.ToList();
        while (pending.Count > 0 && winner is null)
        {
            var answers = pending.Select(r => (Task)r.Dial.Answered).Append(callerGone).ToArray();
            await Task.WhenAny(answers);
            if (callerGone.IsCompleted)
            {
                foreach (var r in pending) Cancel(r.Dial, r.Agent.Id, r.Attempt);
                return null;
            }
            foreach (var r in pending.Where(r => r.Dial.Answered.IsCompleted).ToList())
            {
                pending.Remove(r);
                var result = r.Dial.Answered.IsCompletedSuccessfully ? r.Dial.Answered.Result : new DialResult(false, 0, "error");
                if (result.IsAnswered && winner is null)
                {
                    winner = connect(r.Agent, r.Dial.Leg, r.Attempt);
                }
                else if (result.IsAnswered)
                {
                    // Ring-all: a second agent answered a moment later; release them.
                    _ = CallSession.HangupQuietlyAsync(r.Dial.Leg);
                    EndRing(r.Agent.Id, r.Attempt, RingResult.Cancelled, 200, null);
                }
                else
                {
                    var (ringResult, notReady) = Classify(result);
                    var after = EndRing(r.Agent.Id, r.Attempt, ringResult, result.SipStatus, notReady);
                    if (ringResult == RingResult.NoAnswer) LogRona(ctx.Logger, session.CallId, r.Agent.Id, (long)ringTimeout.TotalMilliseconds);
                    else if (after.Reason == AgentRoster.Busy) LogBusy(ctx.Logger, session.CallId, r.Agent.Id, result.SipStatus, ctx.Options.BusyRetrySeconds);
                    else if (after.Reason == AgentRoster.AlwaysBusy) LogAlwaysBusy(ctx.Logger, session.CallId, r.Agent.Id, result.SipStatus, ctx.Options.MaxBusyInARow);
                    else if (notReady is not null) LogRefused(ctx.Logger, session.CallId, r.Agent.Id, result.SipStatus, notReady);
                }
            }
        }
        // The phones still ringing lost to the one that answered (ring-all): not a missed call on them (RFC 3326).
        foreach (var r in pending) Cancel(r.Dial, r.Agent.Id, r.Attempt, completedElsewhere: winner is not null);
        return winner;
    }

    /// <summary>
    /// ITelephony.Dial's outcomes: 408/0 no answer (RONA), 486/600 busy (the phone is on another call: back to ready
    /// after <c>Acd:BusyRetrySeconds</c>), 603 declined, 487 cancelled, else unreachable.
    /// </summary>
    internal static (RingResult Result, string? NotReadyReason) Classify(DialResult result) => result.SipStatus switch
    {
        0 or 408 => (RingResult.NoAnswer, "rona"),
        486 or 600 => (RingResult.Rejected, AgentRoster.Busy),
        603 => (RingResult.Rejected, "declined"),
        487 => (RingResult.Cancelled, null),
        _ => (RingResult.Failed, "unreachable"),
    };

    private void Cancel(IOutboundCall dial, string agentId, RingAttempt attempt, bool completedElsewhere = false)
    {
        if (completedElsewhere) dial.CancelCompletedElsewhere();
        else dial.Cancel();
        EndRing(agentId, attempt, RingResult.Cancelled, 487, null);
    }

    private AgentSnapshot EndRing(string agentId, RingAttempt attempt, RingResult result, int sipStatus, string? notReadyReason)
    {
        var now = ctx.Time.GetUtcNow();
        attempt.End = now;
        attempt.Result = result;
        var after = ctx.Roster.ReleaseRing(agentId, session.CallId, notReadyReason);
        session.Emit(new CallEvent { RingEnded = new RingEnded { AgentId = agentId, Attempt = (uint)attempt.Attempt, Result = result, RingMs = CallTimeline.Ms(now - attempt.Start), SipStatus = (uint)Math.Max(0, sipStatus) } });
        return after;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: agent {AgentId} did not answer within {RingTimeoutMs} ms (RONA), made not ready")]
    private static partial void LogRona(ILogger logger, string callId, string agentId, long ringTimeoutMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: agent {AgentId}'s phone is busy ({SipStatus}): not offered a call for {BusyRetrySeconds} s")]
    private static partial void LogBusy(ILogger logger, string callId, string agentId, int sipStatus, int busyRetrySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: agent {AgentId}'s phone answered busy ({SipStatus}) to {MaxBusyInARow} rings in a row: made not ready until they say ready")]
    private static partial void LogAlwaysBusy(ILogger logger, string callId, string agentId, int sipStatus, int maxBusyInARow);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: agent {AgentId}'s phone refused the ring ({SipStatus}), made not ready ({Reason})")]
    private static partial void LogRefused(ILogger logger, string callId, string agentId, int sipStatus, string reason);
}
