using Hotline.AcdEngine.Calls;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Conference;

/// <summary>
/// Consulting a department and the three-way call it becomes (DOMAIN.md, issue 8): the agent consults a department
/// (CTI or <c>*8</c>+code+<c>#</c> on the phone, read by its <see cref="ConsultCodeReader"/>); its contacts ring while
/// caller and agent keep talking (or the caller hears hold music); the first to answer joins caller and agent in one
/// mixer. Two failed attempts → the agent hears a tone and gets <see cref="TransferFailed"/>, the caller is back with
/// the agent at once. The department in the call is the <see cref="ThreeWayState"/> of its <see cref="CallParties"/>.
/// </summary>
internal sealed partial class ConsultStage(CallParties call, DepartmentDirectory? directory, string hotlineNumber, ILogger logger)
{
    private readonly ConsultCodeReader? _codes = directory is null ? null : new ConsultCodeReader(directory.Options.ConsultPrefix);

    /// <summary>
    /// A key from the agent's phone: a complete <c>*8</c>+code+<c>#</c> consults that department; an unknown code or a
    /// consult that cannot start now plays the failure tone to the agent.
    /// </summary>
    public void OnAgentKey(string agentId, ICallLeg leg, char digit)
    {
        if (directory is null || _codes?.Feed(digit) is not { } code) return;
        var ok = directory.FindByCode(code) is { } d && Start(agentId, d.Id, holdCaller: false, out _);
        if (!ok) _ = PlayToAgentAsync(leg, ConsultTones.Failed()).ContinueWith(t => RestoreAgentAudio(reattach: !(t.IsCompletedSuccessfully && t.Result)), TaskScheduler.Default);
    }

    /// <summary>CTI ConsultDepartment: starts ringing the department; the outcome arrives as events.</summary>
    public bool Start(string agentId, string departmentId, bool holdCaller, out string error)
    {
        var department = directory?.FindById(departmentId);
        var (talk, token, refused) = call.Owner.TryRun<(TalkStage?, CancellationToken, string?)>(() =>
        {
            if (call.LiveTalk is null || call.Talk!.AgentId != agentId || call.Three.AgentLeft) return (null, default, TalkStage.NotTalking);
            if (department is null) return (null, default, $"Unknown department '{departmentId}'.");
            if (call.Life.Stage == CallStage.Consulting) return (null, default, "A department is already being called on this call.");
            if (call.Life.Stage == CallStage.Transferring) return (null, default, "A transfer is under way on this call.");
            if (call.Three.DepartmentLeg is not null) return (null, default, "A department is already in this call.");
            if (!call.Life.TryMove(CallStage.Talking, CallStage.Consulting)) return (null, default, TalkStage.NotTalking);
            return (call.Talk, call.Three.StartConsult(), null);
        }, ended: (null, default, TalkStage.NotTalking));
        if (talk is null) { error = refused!; return false; }
        if (department is null) { error = $"Unknown department '{departmentId}'."; return false; } // Refused by the command already.
        if (!directory!.IsOpen(department, call.Time.GetUtcNow()))
        {
            // Outside the department's hours nobody will answer: dispatch at once rather than ring twice.
            _ = FailConsultAsync(talk, department, 0, "closed");
            error = "";
            return true;
        }
        if (holdCaller && talk.Hold(out _))
            call.Owner.TryRun(() => call.Three.HeldForConsult = true);
        _ = RunConsultAsync(talk, department, directory.Options, token);
        error = "";
        return true;
    }

    /// <summary>CTI CompleteTransfer: the agent leaves; caller and department stay connected.</summary>
    public async Task<(bool Ok, string Error)> CompleteTransferAsync(string agentId, CancellationToken ct)
    {
        var (talk, refused) = call.Owner.TryRun<(TalkStage?, string?)>(() =>
        {
            if (call.LiveTalk is null || call.Talk!.AgentId != agentId || call.Three.AgentLeft) return (null, TalkStage.NotTalking);
            if (call.Three.DepartmentLeg is null) return (null, "No department is in this call yet.");
            return (call.Talk, null);
        }, ended: (null, TalkStage.NotTalking));
        if (talk is null) return (false, refused!);
        await talk.Leg.HangupAsync(ct);
        talk.MarkAgentGone();
        return (true, "");
    }

    private async Task RunConsultAsync(TalkStage talk, DepartmentOptions department, ConferenceOptions options, CancellationToken token)
    {
        var reason = "no-answer";
        try
        {
            for (var attempt = 1; attempt <= options.Attempts; attempt++)
            {
                call.Notify(talk.AgentId, new CallEvent { ConsultStarted = new DepartmentConsultStarted { AgentId = talk.AgentId, DepartmentId = department.Id, Attempt = (uint)attempt } });
                LogConsult(logger, call.CallId, department.Id, attempt);
                var (leg, contact, failure) = await DialDepartmentAsync(talk, department, options, token);
                if (leg is not null)
                {
                    Join(talk, department, leg, contact, attempt);
                    return;
                }
                if (failure is null)
                {
                    call.Owner.TryRun(() => call.Life.TryMove(CallStage.Consulting, CallStage.Talking)); // Caller or agent left meanwhile: nothing to report.
                    return;
                }
                reason = failure;
            }
            await FailConsultAsync(talk, department, options.Attempts, reason);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogConsultError(logger, ex, call.CallId, department.Id);
            call.Owner.TryRun(() => call.Life.TryMove(CallStage.Consulting, CallStage.Talking));
        }
    }

    /// <summary>Rings every contact at once; the first answer wins. Null failure: caller/agent left or cancelled.</summary>
    private async Task<(ICallLeg? Leg, string Contact, string? Failure)> DialDepartmentAsync(
        TalkStage talk, DepartmentOptions department, ConferenceOptions options, CancellationToken token)
    {
        var display = "Hotline " + (department.Name.Length > 0 ? department.Name : department.Id);
        var (leg, contact, failure, _) = await new ContactDialer(call.Telephony, hotlineNumber, logger).DialFirstAsync(call.CallId, department.Id, department.Contacts, display,
            TimeSpan.FromSeconds(options.RingTimeoutSeconds), Task.WhenAny(call.CallerGone, talk.AgentGone), token);
        return (leg, contact, failure);
    }

    private void Join(TalkStage talk, DepartmentOptions department, ICallLeg leg, string contact, int attempt)
    {
        TimeSpan? held = null;
        // The department answered (awaited outside the owner): joining it is a command.
        var joined = call.Owner.TryRun(() =>
        {
            var joining = call.Life.Stage == CallStage.Consulting && !call.CallerGone.IsCompleted && !talk.AgentGone.IsCompleted && leg.State != CallLegState.Ended;
            if (!joining) call.Life.TryMove(CallStage.Consulting, CallStage.Talking);
            else
            {
                if (call.Life.IsOnHold) held = talk.EndHold();
                call.Life.Move(CallStage.ThreeWay);
                call.EnsureConference(talk).Add(leg);
                call.Three.DepartmentJoined(department.Id, leg, call.Time.GetUtcNow());
            }
            return joining;
        }, ended: false);
        if (!joined)
        {
            _ = CallSession.HangupQuietlyAsync(leg);
            return;
        }
        leg.Ended += (_, _) => call.DepartmentLeft();
        if (leg.State == CallLegState.Ended) call.DepartmentLeft();
        if (held is { } h) call.Session.Emit(new CallEvent { Resumed = new CallResumed { AgentId = talk.AgentId, HeldMs = Tracking.CallTimeline.Ms(h) } });
        call.Notify(talk.AgentId, new CallEvent { DepartmentJoined = new DepartmentJoined { DepartmentId = department.Id, Contact = contact, Attempt = (uint)attempt, Replaces = ReplacesOf(leg) } });
        call.EmitParties();
        LogJoined(logger, call.CallId, department.Id, attempt);
    }

    /// <summary>RFC 3891 §6.1 Replaces value naming <paramref name="leg"/>'s dialog ("" when it has none).</summary>
    private static string ReplacesOf(ICallLeg leg) =>
        leg.Dialog is { } d ? d.CallId + ";to-tag=" + d.ToTag + ";from-tag=" + d.FromTag : "";

    /// <summary>DOMAIN.md: unreachable after two attempts → work order for dispatch; the agent is told, the caller not kept waiting.</summary>
    private async Task FailConsultAsync(TalkStage talk, DepartmentOptions department, int attempts, string reason)
    {
        call.Owner.TryRun(() => call.Life.TryMove(CallStage.Consulting, CallStage.Talking));
        call.Notify(talk.AgentId, new CallEvent { TransferFailed = new TransferFailed { DepartmentId = department.Id, Attempts = (uint)attempts, Reason = reason } });
        LogTransferFailed(logger, call.CallId, department.Id, attempts, reason);
        if (call.CallerGone.IsCompleted || talk.AgentGone.IsCompleted) return;
        var played = PlayToAgentAsync(talk.Leg, ConsultTones.Failed());
        await Task.WhenAny(played, call.CallerGone, talk.AgentGone);
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
        var agentId = call.Owner.TryRun(() =>
        {
            if (call.Talk is not { } talk || call.Life.IsEnded || call.Three.AgentLeft || talk.AgentGone.IsCompleted || call.CallerGone.IsCompleted) return null;
            if (call.Three.HeldForConsult && call.Life.IsOnHold) held = talk.EndHold();
            call.Three.HeldForConsult = false;
            if (call.Life.IsOnHold) return talk.AgentId; // The agent's own hold goes on: music stays.
            if (!reattach && held is null) return talk.AgentId; // The tone played beside the bridge or mix: it is still there.
            if (call.Three.Conference is { } conference) conference.Add(talk.Leg);
            else talk.Bridge();
            return talk.AgentId;
        }, ended: null);
        if (agentId is not null && held is { } h) call.Session.Emit(new CallEvent { Resumed = new CallResumed { AgentId = agentId, HeldMs = Tracking.CallTimeline.Ms(h) } });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: consulting department {DepartmentId}, attempt {Attempt}")]
    private static partial void LogConsult(ILogger logger, string callId, string departmentId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: department {DepartmentId} joined on attempt {Attempt}")]
    private static partial void LogJoined(ILogger logger, string callId, string departmentId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: department {DepartmentId} not reached after {Attempts} attempts ({Reason}); work order goes to dispatch")]
    private static partial void LogTransferFailed(ILogger logger, string callId, string departmentId, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Call {CallId}: consulting department {DepartmentId} failed")]
    private static partial void LogConsultError(ILogger logger, Exception ex, string callId, string departmentId);
}
