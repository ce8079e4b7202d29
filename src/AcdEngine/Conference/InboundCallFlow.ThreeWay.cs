using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Conference;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// Three-way calls with a department (DOMAIN.md, issue 8): the agent consults a department (CTI or <c>*8</c>+code+<c>#</c>);
/// its contacts ring while caller and agent keep talking (or the caller hears hold music); the first to answer
/// joins caller and agent in one mixer. Two failed attempts → the agent hears a tone and gets
/// <see cref="TransferFailed"/>, the caller is back with the agent at once. Any one party leaving keeps the other two.
/// </summary>
public sealed partial class InboundCallFlow
{
    /// <summary>A call event the agent's desktop should see (consult started/joined/failed): agent id and event.</summary>
    public event Action<string, CallEvent>? AgentNotice
    {
        add => _parties.AgentNotice += value;
        remove => _parties.AgentNotice -= value;
    }

    /// <summary>CTI ConsultDepartment: starts ringing the department; the outcome arrives as events.</summary>
    public bool ConsultDepartment(string agentId, string departmentId, bool holdCaller, out string error)
    {
        var directory = _ctx.Departments;
        var department = directory?.FindById(departmentId);
        TalkStage talk;
        CancellationToken token;
        lock (_gate)
        {
            if (_parties.Talk is null || _parties.Talk.AgentId != agentId || _parties.Three.AgentLeft || _life.IsEnded) { error = "The agent is not talking on this call."; return false; }
            if (department is null) { error = $"Unknown department '{departmentId}'."; return false; }
            if (_life.Stage == CallStage.Consulting) { error = "A department is already being called on this call."; return false; }
            if (_life.Stage == CallStage.Transferring) { error = "A transfer is under way on this call."; return false; }
            if (_parties.Three.DepartmentLeg is not null) { error = "A department is already in this call."; return false; }
            if (!_life.TryMove(CallStage.Talking, CallStage.Consulting)) { error = "The agent is not talking on this call."; return false; }
            talk = _parties.Talk;
            token = _parties.Three.StartConsult();
        }
        if (!directory!.IsOpen(department, _ctx.Time.GetUtcNow()))
        {
            // Outside the department's hours nobody will answer: dispatch at once rather than ring twice.
            _ = FailConsultAsync(talk, department, 0, "closed");
            error = "";
            return true;
        }
        if (holdCaller && Hold(agentId, out _))
            lock (_gate) _parties.Three.HeldForConsult = true;
        _ = RunConsultAsync(talk, department, directory.Options, token);
        error = "";
        return true;
    }

    /// <summary>CTI CompleteTransfer: the agent leaves; caller and department stay connected.</summary>
    public async Task<ControlOutcome> CompleteTransferAsync(string agentId, CancellationToken ct)
    {
        TalkStage talk;
        lock (_gate)
        {
            if (_parties.Talk is null || _parties.Talk.AgentId != agentId || _parties.Three.AgentLeft) return (false, "The agent is not talking on this call.");
            if (_parties.Three.DepartmentLeg is null) return (false, "No department is in this call yet.");
            talk = _parties.Talk;
        }
        await talk.Leg.HangupAsync(ct);
        talk.MarkAgentGone();
        return (true, "");
    }

    /// <summary>Agent's phone: <c>*8</c>+code+<c>#</c> consults a department; hold/resume from the phone's re-INVITE.</summary>
    private void WatchAgentPhone(string agentId, ICallLeg leg)
    {
        if (_ctx.Departments is { } directory)
        {
            var reader = new ConsultCodeReader(directory.Options.ConsultPrefix);
            leg.Dtmf += (sender, e) =>
            {
                if (reader.Feed(e.Digit) is not { } code) return;
                var ok = directory.FindByCode(code) is { } d && ConsultDepartment(agentId, d.Id, holdCaller: false, out _);
                if (!ok) _ = PlayToAgentAsync(leg, ConsultTones.Failed()).ContinueWith(t => RestoreAgentAudio(reattach: !(t.IsCompletedSuccessfully && t.Result)), TaskScheduler.Default);
            };
        }
        var transfer = NewTransferStage();
        leg.TransferRequested += (sender, e) => transfer.OnTransferRequested(leg, e); // SIP REFER from the phone.
        leg.RemoteHold += (sender, e) =>
        {
            // RFC 3264 §8.4: the phone's sendonly re-INVITE is a hold; sendrecv again a resume.
            if (e.OnHold) Hold(agentId, out _);
            else Resume(agentId, out _);
        };
    }

    private async Task RunConsultAsync(TalkStage talk, DepartmentOptions department, ConferenceOptions options, CancellationToken token)
    {
        var reason = "no-answer";
        try
        {
            for (var attempt = 1; attempt <= options.Attempts; attempt++)
            {
                _parties.Notify(talk.AgentId, new CallEvent { ConsultStarted = new DepartmentConsultStarted { AgentId = talk.AgentId, DepartmentId = department.Id, Attempt = (uint)attempt } });
                LogConsult(_ctx.Logger, CallId, department.Id, attempt);
                var (leg, contact, failure) = await DialDepartmentAsync(talk, department, options, token);
                if (leg is not null)
                {
                    Join(talk, department, leg, contact, attempt);
                    return;
                }
                if (failure is null)
                {
                    lock (_gate) _life.TryMove(CallStage.Consulting, CallStage.Talking); // Caller or agent left meanwhile: nothing to report.
                    return;
                }
                reason = failure;
            }
            await FailConsultAsync(talk, department, options.Attempts, reason);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogConsultError(_ctx.Logger, ex, CallId, department.Id);
            lock (_gate) _life.TryMove(CallStage.Consulting, CallStage.Talking);
        }
    }

    /// <summary>Rings every contact at once; the first answer wins. Null failure: caller/agent left or cancelled.</summary>
    private async Task<(ICallLeg? Leg, string Contact, string? Failure)> DialDepartmentAsync(
        TalkStage talk, DepartmentOptions department, ConferenceOptions options, CancellationToken token)
    {
        var display = "Hotline " + (department.Name.Length > 0 ? department.Name : department.Id);
        var (leg, contact, failure, _) = await DialFirstAsync(department.Id, department.Contacts, display,
            TimeSpan.FromSeconds(options.RingTimeoutSeconds), Task.WhenAny(_callerGone.Task, talk.AgentGone), token);
        return (leg, contact, failure);
    }

    /// <summary>Rings every contact at once (<see cref="ContactDialer"/>); the first answer wins.</summary>
    private Task<ContactDialResult> DialFirstAsync(string target, IReadOnlyList<string> contacts, string displayName, TimeSpan ringTimeout, Task abort, CancellationToken token) =>
        new ContactDialer(_ctx.Telephony, _ctx.Options.HotlineNumber, _ctx.Logger).DialFirstAsync(CallId, target, contacts, displayName, ringTimeout, abort, token);

    private void Join(TalkStage talk, DepartmentOptions department, ICallLeg leg, string contact, int attempt)
    {
        TimeSpan? held = null;
        bool joined;
        lock (_gate)
        {
            joined = _life.Stage == CallStage.Consulting && !_callerGone.Task.IsCompleted && !talk.AgentGone.IsCompleted && leg.State != CallLegState.Ended;
            if (!joined) _life.TryMove(CallStage.Consulting, CallStage.Talking);
            else
            {
                if (_life.IsOnHold) held = talk.EndHold();
                _life.Move(CallStage.ThreeWay);
                _parties.EnsureConference(talk).Add(leg);
                _parties.Three.DepartmentJoined(department.Id, leg, _ctx.Time.GetUtcNow());
            }
        }
        if (!joined)
        {
            _ = IgnoreFailureAsync(() => leg.HangupAsync(CancellationToken.None));
            return;
        }
        leg.Ended += (_, _) => _parties.DepartmentLeft();
        if (leg.State == CallLegState.Ended) _parties.DepartmentLeft();
        if (held is { } h) _session.Emit(new CallEvent { Resumed = new CallResumed { AgentId = talk.AgentId, HeldMs = Tracking.CallTimeline.Ms(h) } });
        _parties.Notify(talk.AgentId, new CallEvent { DepartmentJoined = new DepartmentJoined { DepartmentId = department.Id, Contact = contact, Attempt = (uint)attempt, Replaces = ReplacesOf(leg) } });
        _parties.EmitParties();
        LogJoined(_ctx.Logger, CallId, department.Id, attempt);
    }

    /// <summary>RFC 3891 §6.1 Replaces value naming <paramref name="leg"/>'s dialog ("" when it has none).</summary>
    private static string ReplacesOf(ICallLeg leg) =>
        leg.Dialog is { } d ? d.CallId + ";to-tag=" + d.ToTag + ";from-tag=" + d.FromTag : "";

    /// <summary>DOMAIN.md: unreachable after two attempts → work order for dispatch; the agent is told, the caller not kept waiting.</summary>
    private async Task FailConsultAsync(TalkStage talk, DepartmentOptions department, int attempts, string reason)
    {
        lock (_gate) _life.TryMove(CallStage.Consulting, CallStage.Talking);
        _parties.Notify(talk.AgentId, new CallEvent { TransferFailed = new TransferFailed { DepartmentId = department.Id, Attempts = (uint)attempts, Reason = reason } });
        LogTransferFailed(_ctx.Logger, CallId, department.Id, attempts, reason);
        if (_callerGone.Task.IsCompleted || talk.AgentGone.IsCompleted) return;
        var played = PlayToAgentAsync(talk.Leg, ConsultTones.Failed());
        await Task.WhenAny(played, _callerGone.Task, talk.AgentGone);
        RestoreAgentAudio(reattach: !(played.IsCompletedSuccessfully && played.Result));
    }

    /// <summary>
    /// A tone to the agent's leg, beside its bridge or mix when the leg can (true: the agent kept hearing the others
    /// and being heard, nothing to restore); else in place of it (false: <see cref="RestoreAgentAudio"/> reattaches).
    /// In a three-way, playing in place would leave the caller and the department without the agent for the tone.
    /// </summary>
    private static async Task<bool> PlayToAgentAsync(ICallLeg leg, Cti.Media.IAudioSource tone)
    {
        if (leg.PlayBesideAsync(tone, CancellationToken.None) is { } beside)
        {
            await beside;
            return true;
        }
        await leg.PlayAsync(tone, CancellationToken.None);
        return false;
    }

    /// <summary>
    /// After a tone to the agent or a failed consult: off any consult hold, agent back with the caller (into the
    /// bridge or mix again when <paramref name="reattach"/>, i.e. the tone replaced it, or a consult hold ended).
    /// </summary>
    private void RestoreAgentAudio(bool reattach)
    {
        TimeSpan? held = null;
        string agentId;
        lock (_gate)
        {
            if (_parties.Talk is not { } talk || _life.IsEnded || _parties.Three.AgentLeft || talk.AgentGone.IsCompleted || _callerGone.Task.IsCompleted) return;
            agentId = talk.AgentId;
            if (_parties.Three.HeldForConsult && _life.IsOnHold) held = talk.EndHold();
            _parties.Three.HeldForConsult = false;
            if (_life.IsOnHold) return; // The agent's own hold goes on: music stays.
            if (!reattach && held is null) return; // The tone played beside the bridge or mix: it is still there.
            if (_parties.Three.Conference is { } conference) conference.Add(talk.Leg);
            else _ctx.Telephony.Bridge(_caller, talk.Leg);
        }
        if (held is { } h) _session.Emit(new CallEvent { Resumed = new CallResumed { AgentId = agentId, HeldMs = Tracking.CallTimeline.Ms(h) } });
    }

    /// <summary>True when exactly one of caller and agent left a call that has a department: the other two go on.</summary>
    private bool DepartmentStaysOn(TalkStage talk)
    {
        lock (_gate)
        {
            // The agent's phone hung up while its blind transfer still rings: the caller waits for the target.
            if (_parties.Three.Transfer is { HoldsTheCaller: true } && talk.AgentGone.IsCompleted && !_callerGone.Task.IsCompleted) return true;
            return _parties.Three.HasDepartment && _callerGone.Task.IsCompleted != talk.AgentGone.IsCompleted;
        }
    }

    /// <summary>Issue 8: either party leaving keeps the others connected. Ends when one of the remaining two leaves.</summary>
    private async Task<(HangupBy, string, TimeSpan)> ContinueWithDepartmentAsync(TalkStage talk, CancellationToken ct)
    {
        var agentLeft = talk.AgentGone.IsCompleted;
        TransferInFlight? transfer;
        lock (_gate) transfer = _parties.Three.Transfer;
        if (agentLeft && transfer is { HoldsTheCaller: true } && !await transfer.Done.Task)
            return await EndAfterFailedTransferAsync(talk, ct);
        lock (_gate)
        {
            if (agentLeft)
            {
                _parties.Three.MarkAgentLeft();
                _life.TryMove(CallStage.ThreeWay, CallStage.Transferred); // A blind transfer got there on connecting.
            }
            else _parties.Three.MarkCallerLeft();
            _parties.Three.Conference?.Remove(agentLeft ? talk.Leg : _caller);
        }
        _parties.EmitParties();
        Task<TimeSpan>? wrapUp = null;
        if (agentLeft)
        {
            // The agent leaves: the transfer completes; their wrap-up starts now, the call goes on.
            string to, kind;
            lock (_gate)
            {
                to = _parties.Three.OtherParty;
                kind = _parties.Three.TransferKind ?? "warm";
            }
            _session.Emit(new CallEvent { TransferCompleted = new TransferCompleted { FromAgentId = talk.AgentId, To = to, Kind = kind } });
            LogTransferred(_ctx.Logger, CallId, talk.AgentId, _parties.Three.DepartmentId ?? "");
            wrapUp = _ctx.Roster.EndCall(talk.AgentId, CallId);
            await Task.WhenAny(_callerGone.Task, _parties.Three.DepartmentGone.Task);
        }
        else
        {
            await Task.WhenAny(talk.AgentGone, _parties.Three.DepartmentGone.Task);
        }
        _timeline.EndedAt = _ctx.Time.GetUtcNow();
        lock (_gate)
            if (_life.TryResume()) _timeline.HoldEnded(_timeline.EndedAt.Value);
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
        lock (_gate)
        {
            _parties.Three.DisposeConsult();
            return _parties.Three.ConferenceTime;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: consulting department {DepartmentId}, attempt {Attempt}")]
    private static partial void LogConsult(ILogger logger, string callId, string departmentId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: department {DepartmentId} joined on attempt {Attempt}")]
    private static partial void LogJoined(ILogger logger, string callId, string departmentId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: department {DepartmentId} not reached after {Attempts} attempts ({Reason}); work order goes to dispatch")]
    private static partial void LogTransferFailed(ILogger logger, string callId, string departmentId, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: agent {AgentId} left, call transferred to department {DepartmentId}")]
    private static partial void LogTransferred(ILogger logger, string callId, string agentId, string departmentId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Call {CallId}: consulting department {DepartmentId} failed")]
    private static partial void LogConsultError(ILogger logger, Exception ex, string callId, string departmentId);
}
