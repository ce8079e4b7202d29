using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Calls;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Conference;

/// <summary>
/// The end of a call a department is in (issue 8: any one party leaving keeps the other two): when the caller or the
/// agent leaves a three-way call (or the agent completes a transfer), the other two talk on until one of them leaves;
/// when the agent's phone hung up on its own blind transfer, the caller waits for the target and nobody is reconnected
/// if it fails. Reaches the call only through its <see cref="CallParties"/>; the orchestrator asks
/// <see cref="Applies"/> once the talk ended and runs it instead of the talk's own end.
/// </summary>
internal sealed partial class DepartmentStaysStage(CallParties call, AgentRoster roster, ILogger logger)
{
    /// <summary>True when exactly one of caller and agent left a call that has a department: the other two go on.</summary>
    public bool Applies(TalkStage talk) => call.Owner.Run(() =>
    {
        // The agent's phone hung up while its blind transfer still rings: the caller waits for the target.
        if (call.Three.Transfer is { HoldsTheCaller: true } && talk.AgentGone.IsCompleted && !call.CallerGone.IsCompleted) return true;
        return call.Three.HasDepartment && call.CallerGone.IsCompleted != talk.AgentGone.IsCompleted;
    });

    /// <summary>Until one of the remaining two leaves: who hung up, <c>CallEnded.reason</c> and the agent's wrap-up.</summary>
    public async Task<(HangupBy By, string Reason, TimeSpan WrapUp)> RunAsync(TalkStage talk, CancellationToken ct)
    {
        var agentLeft = talk.AgentGone.IsCompleted;
        var transfer = call.Owner.Run(() => call.Three.Transfer);
        if (agentLeft && transfer is { HoldsTheCaller: true } && !await transfer.Done.Task)
            return await EndAfterFailedTransferAsync(talk, ct);
        call.Owner.Run(() =>
        {
            if (agentLeft)
            {
                call.Three.MarkAgentLeft();
                call.Life.TryMove(CallStage.ThreeWay, CallStage.Transferred); // A blind transfer got there on connecting.
            }
            else call.Three.MarkCallerLeft();
            call.Three.Conference?.Remove(agentLeft ? talk.Leg : call.Caller);
        });
        call.EmitParties();
        Task<TimeSpan>? wrapUp = null;
        if (agentLeft)
        {
            // The agent leaves: the transfer completes; their wrap-up starts now, the call goes on.
            var (to, kind, departmentId) = call.Owner.Run(() => (call.Three.OtherParty, call.Three.TransferKind ?? "warm", call.Three.DepartmentId ?? ""));
            call.Session.Emit(new CallEvent { TransferCompleted = new TransferCompleted { FromAgentId = talk.AgentId, To = to, Kind = kind } });
            LogTransferred(logger, call.CallId, talk.AgentId, departmentId);
            wrapUp = roster.EndCall(talk.AgentId, call.CallId);
            await Task.WhenAny(call.CallerGone, call.Three.DepartmentGone.Task);
        }
        else
        {
            await Task.WhenAny(talk.AgentGone, call.Three.DepartmentGone.Task);
        }
        EndNow();
        var hangupBy = agentLeft
            ? (call.CallerGone.IsCompleted ? HangupBy.Caller : HangupBy.System)
            : HangupBy.Caller;
        await call.HangupAllAsync(talk.Leg);
        EndTargetAgentCall();
        wrapUp ??= roster.EndCall(talk.AgentId, call.CallId);
        return (hangupBy, agentLeft ? "transferred" : "normal", await wrapUp.WaitAsync(ct));
    }

    /// <summary>The agent's phone hung up and its blind transfer failed: nobody to reconnect to; the matter goes to dispatch.</summary>
    private async Task<(HangupBy, string, TimeSpan)> EndAfterFailedTransferAsync(TalkStage talk, CancellationToken ct)
    {
        EndNow(call.Three.MarkAgentLeft);
        var wrapUp = roster.EndCall(talk.AgentId, call.CallId);
        await call.HangupAllAsync(talk.Leg);
        return (call.CallerGone.IsCompleted ? HangupBy.Caller : HangupBy.System, "transfer-failed", await wrapUp.WaitAsync(ct));
    }

    /// <summary>The call's end instant; an open hold closes there. One command, with <paramref name="first"/> if given.</summary>
    private void EndNow(Action? first = null)
    {
        var endedAt = call.Time.GetUtcNow();
        call.Owner.Run(() =>
        {
            first?.Invoke();
            call.Session.EndTalkAt(endedAt);
        });
    }

    /// <summary>The agent a blind transfer reached is done with the call (to wrap-up) once it ends.</summary>
    private void EndTargetAgentCall()
    {
        var agentId = call.Owner.Run(call.Three.TakeTargetAgent);
        if (agentId is not null) _ = roster.EndCall(agentId, call.CallId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: agent {AgentId} left, call transferred to department {DepartmentId}")]
    private static partial void LogTransferred(ILogger logger, string callId, string agentId, string departmentId);
}
