using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Conference;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// The conference stages this flow hands its call to (Conference/: <see cref="ConsultStage"/>, <see cref="TransferStage"/>,
/// <see cref="MonitorStage"/>), all through the call's <see cref="CallParties"/>; and the end of a call a department
/// stays in (issue 8: any one party leaving keeps the other two), which the orchestrator sequences.
/// </summary>
public sealed partial class InboundCallFlow
{
    /// <summary>A call event the agent's desktop should see (consult started/joined/failed): agent id and event.</summary>
    public event Action<string, CallEvent>? AgentNotice
    {
        add => _parties.AgentNotice += value;
        remove => _parties.AgentNotice -= value;
    }

    /// <summary>CTI ConsultDepartment (<see cref="ConsultStage"/>): starts ringing the department; the outcome arrives as events.</summary>
    public bool ConsultDepartment(string agentId, string departmentId, bool holdCaller, out string error) =>
        _consult.Start(agentId, departmentId, holdCaller, out error);

    /// <summary>CTI CompleteTransfer: the agent leaves; caller and department stay connected.</summary>
    public async Task<ControlOutcome> CompleteTransferAsync(string agentId, CancellationToken ct) =>
        await _consult.CompleteTransferAsync(agentId, ct);

    /// <summary>
    /// The agent's phone, once answered: <c>*8</c>+code+<c>#</c> consults a department (<see cref="ConsultStage"/>),
    /// REFER transfers (<see cref="TransferStage"/>), hold/resume from its re-INVITE (<see cref="TalkStage"/>).
    /// </summary>
    private void WatchAgentPhone(string agentId, ICallLeg leg)
    {
        // Every event from the phone is a command on the call's owner, in the order the phone sent them.
        leg.Dtmf += (_, e) => _owner.TryRun(() => _consult.OnAgentKey(agentId, leg, e.Digit));
        var transfer = NewTransferStage();
        leg.TransferRequested += (_, e) => transfer.OnTransferRequested(leg, e); // SIP REFER from the phone.
        leg.RemoteHold += (sender, e) =>
        {
            // RFC 3264 §8.4: the phone's sendonly re-INVITE is a hold; sendrecv again a resume.
            if (e.OnHold) Hold(agentId, out _);
            else Resume(agentId, out _);
        };
    }

    /// <summary>CTI Monitor (<see cref="MonitorStage"/>): rings the supervisor's phone; they join on answer.</summary>
    public bool Monitor(string supervisorUser, MonitorMode mode, out string error) =>
        new MonitorStage(_parties, _ctx.Options.HotlineNumber, TimeSpan.FromSeconds(_ctx.Departments?.Options.RingTimeoutSeconds ?? 20), _ctx.Logger)
            .Start(supervisorUser, mode, out error);

    /// <summary>The agent's phone asks for a transfer (SIP REFER): the <see cref="TransferStage"/> of this call.</summary>
    private TransferStage NewTransferStage() =>
        new(_parties, _ctx.Roster, _ctx.Departments, _ctx.DialPlan, _ctx.Options.RingTimeoutSeconds, _ctx.Options.HotlineNumber, _ctx.Logger);

    /// <summary>The agent's phone hung up and its blind transfer failed: nobody to reconnect to; the matter goes to dispatch.</summary>
    private async Task<(HangupBy, string, TimeSpan)> EndAfterFailedTransferAsync(TalkStage talk, CancellationToken ct)
    {
        var endedAt = _ctx.Time.GetUtcNow();
        _owner.Run(() =>
        {
            _parties.Three.MarkAgentLeft();
            _timeline.EndedAt = endedAt;
            if (_life.TryResume()) _timeline.HoldEnded(endedAt);
        });
        var wrapUp = _ctx.Roster.EndCall(talk.AgentId, CallId);
        await _parties.HangupAllAsync(talk.Leg);
        return (_callerGone.Task.IsCompleted ? HangupBy.Caller : HangupBy.System, "transfer-failed", await wrapUp.WaitAsync(ct));
    }

    /// <summary>The agent a blind transfer reached is done with the call (to wrap-up) once it ends.</summary>
    private void EndTargetAgentCall()
    {
        var agentId = _owner.Run(_parties.Three.TakeTargetAgent);
        if (agentId is not null) _ = _ctx.Roster.EndCall(agentId, CallId);
    }

    /// <summary>True when exactly one of caller and agent left a call that has a department: the other two go on.</summary>
    private bool DepartmentStaysOn(TalkStage talk) => _owner.Run(() =>
    {
        // The agent's phone hung up while its blind transfer still rings: the caller waits for the target.
        if (_parties.Three.Transfer is { HoldsTheCaller: true } && talk.AgentGone.IsCompleted && !_callerGone.Task.IsCompleted) return true;
        return _parties.Three.HasDepartment && _callerGone.Task.IsCompleted != talk.AgentGone.IsCompleted;
    });

    /// <summary>Issue 8: either party leaving keeps the others connected. Ends when one of the remaining two leaves.</summary>
    private async Task<(HangupBy, string, TimeSpan)> ContinueWithDepartmentAsync(TalkStage talk, CancellationToken ct)
    {
        var agentLeft = talk.AgentGone.IsCompleted;
        var transfer = _owner.Run(() => _parties.Three.Transfer);
        if (agentLeft && transfer is { HoldsTheCaller: true } && !await transfer.Done.Task)
            return await EndAfterFailedTransferAsync(talk, ct);
        _owner.Run(() =>
        {
            if (agentLeft)
            {
                _parties.Three.MarkAgentLeft();
                _life.TryMove(CallStage.ThreeWay, CallStage.Transferred); // A blind transfer got there on connecting.
            }
            else _parties.Three.MarkCallerLeft();
            _parties.Three.Conference?.Remove(agentLeft ? talk.Leg : _caller);
        });
        _parties.EmitParties();
        Task<TimeSpan>? wrapUp = null;
        if (agentLeft)
        {
            // The agent leaves: the transfer completes; their wrap-up starts now, the call goes on.
            var (to, kind, departmentId) = _owner.Run(() => (_parties.Three.OtherParty, _parties.Three.TransferKind ?? "warm", _parties.Three.DepartmentId ?? ""));
            _session.Emit(new CallEvent { TransferCompleted = new TransferCompleted { FromAgentId = talk.AgentId, To = to, Kind = kind } });
            LogTransferred(_ctx.Logger, CallId, talk.AgentId, departmentId);
            wrapUp = _ctx.Roster.EndCall(talk.AgentId, CallId);
            await Task.WhenAny(_callerGone.Task, _parties.Three.DepartmentGone.Task);
        }
        else
        {
            await Task.WhenAny(talk.AgentGone, _parties.Three.DepartmentGone.Task);
        }
        var endedAt = _ctx.Time.GetUtcNow();
        _owner.Run(() =>
        {
            _timeline.EndedAt = endedAt;
            if (_life.TryResume()) _timeline.HoldEnded(endedAt);
        });
        var hangupBy = agentLeft
            ? (_callerGone.Task.IsCompleted ? HangupBy.Caller : HangupBy.System)
            : HangupBy.Caller;
        await _parties.HangupAllAsync(talk.Leg);
        EndTargetAgentCall();
        wrapUp ??= _ctx.Roster.EndCall(talk.AgentId, CallId);
        return (hangupBy, agentLeft ? "transferred" : "normal", await wrapUp.WaitAsync(ct));
    }

    /// <summary>The call is over (from RunAsync): release what the three-way part still holds; its conference time.</summary>
    private async Task<TimeSpan> CloseThreeWayAsync()
    {
        await _parties.HangupAllAsync(null);
        return _owner.Run(() =>
        {
            _parties.Three.DisposeConsult();
            return _parties.Three.ConferenceTime;
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: agent {AgentId} left, call transferred to department {DepartmentId}")]
    private static partial void LogTransferred(ILogger logger, string callId, string agentId, string departmentId);
}
