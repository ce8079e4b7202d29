using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Conference;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// Transfers the agent's softphone asks for with SIP REFER (issue 8; RFC 3515, RFC 3891).
/// Blind: <c>Refer-To: &lt;sip:target&gt;</c> (department code, another agent, or a number the dial plan allows) → the
/// phone gets 202 and "100 Trying"; the caller hears hold music while the engine rings the target from the caller's
/// side; on answer caller and target are bridged, the phone gets "200 OK" and then our BYE, and
/// <see cref="TransferCompleted"/> (kind "blind") goes on the timeline. On failure the phone gets the failure (486,
/// 408…), the agent <see cref="TransferFailed"/>, and the caller is back with the agent — or, when the agent's phone
/// already hung up, the call ends as "transfer-failed" (DOMAIN.md: record and dispatch, do not keep the caller waiting).
/// Attended: <c>Refer-To: &lt;sip:dept?Replaces=…&gt;</c> naming the consultation leg the engine made (CTI or <c>*8</c>)
/// → the agent leaves the three-way call; caller and department stay (kind "attended").
/// </summary>
public sealed partial class InboundCallFlow
{
    private void OnAgentTransferRequested(ICallLeg agentLeg, TransferRequestedEventArgs e)
    {
        TalkStage talk;
        lock (_gate)
        {
            if (_parties.Talk is not { } t || !ReferenceEquals(t.Leg, agentLeg) || _parties.Three.AgentLeft || _life.IsEnded || _callerGone.Task.IsCompleted)
            {
                e.RefuseStatus = 481; // Nothing to transfer any more.
                return;
            }
            if (_life.Stage is CallStage.Transferring or CallStage.Consulting)
            {
                e.RefuseStatus = 491; // RFC 3261 §21.4.27 Request Pending: a transfer or consult is already under way.
                return;
            }
            talk = t;
        }
        if (e.Replaces is { } replaces)
        {
            Attended(talk, replaces, e);
            return;
        }
        if (!TransferTarget.TryResolve(_ctx.Departments, _ctx.Roster, _ctx.Options.RingTimeoutSeconds, _ctx.DialPlan, e.TargetUser, talk.AgentId, _ctx.Time.GetUtcNow(), out var target, out var refuse, out var why))
        {
            LogTransferRefused(_ctx.Logger, CallId, talk.AgentId, refuse, why);
            e.RefuseStatus = refuse;
            return;
        }
        ICallLeg? department;
        lock (_gate) department = _parties.Three.HasDepartment ? _parties.Three.DepartmentLeg : null;
        if (department is not null)
        {
            // Already in a three-way call: a blind REFER to that same department just completes the transfer.
            if (target!.DepartmentId is null || target.DepartmentId != _parties.Three.DepartmentId)
            {
                e.RefuseStatus = 403;
                return;
            }
            LeaveToDepartment(talk, "blind", e.Accept());
            return;
        }
        if (target!.AgentId is { } targetAgent && !_ctx.Roster.TryReserve(targetAgent, CallId))
        {
            e.RefuseStatus = 486; // The other agent is not ready.
            return;
        }
        var transfer = new TransferInFlight(target);
        bool started;
        lock (_gate)
        {
            // Checked again with the target resolved: a second REFER or a consult may have started meanwhile.
            started = _parties.Three.DepartmentLeg is null && _life.TryMove(CallStage.Talking, CallStage.Transferring);
            if (started) _parties.Three.Transfer = transfer;
        }
        if (!started)
        {
            if (target.AgentId is { } reserved) _ctx.Roster.ReleaseRing(reserved, CallId, null);
            e.RefuseStatus = 491;
            return;
        }
        var progress = e.Accept();
        LogBlindTransfer(_ctx.Logger, CallId, talk.AgentId, ForLog(target.Party));
        _ = RunBlindTransferAsync(talk, transfer, progress);
    }

    /// <summary>RFC 3891: Replaces must name the department leg this call consulted; then the agent simply leaves.</summary>
    private void Attended(TalkStage talk, TransferReplaces replaces, TransferRequestedEventArgs e)
    {
        bool matches;
        lock (_gate) matches = _parties.Three.HasDepartment && _parties.Three.DepartmentLeg!.IsDialog(replaces);
        var progress = e.Accept();
        if (!matches)
        {
            // As the INVITE with this Replaces would have been answered (RFC 3891 §3): no such dialog.
            LogTransferRefused(_ctx.Logger, CallId, talk.AgentId, 481, "Replaces names no consultation of this call");
            progress.Report(481, "Call/Transaction Does Not Exist");
            return;
        }
        LeaveToDepartment(talk, "attended", progress);
    }

    /// <summary>The agent leaves a call the department is in: success to the phone, then our BYE (the usual path follows).</summary>
    private void LeaveToDepartment(TalkStage talk, string kind, ITransferProgress progress)
    {
        lock (_gate) _parties.Three.AgentTransfers(kind);
        progress.Report(200);
        _ = IgnoreFailureAsync(() => talk.Leg.HangupAsync(CancellationToken.None));
        talk.MarkAgentGone();
    }

    private async Task RunBlindTransferAsync(TalkStage talk, TransferInFlight transfer, ITransferProgress progress)
    {
        var target = transfer.Target;
        try
        {
            lock (_gate)
            {
                // The caller waits with hold music (the agent's own hold, if any, already plays it).
                if (!_life.IsOnHold && !_life.IsEnded)
                {
                    talk.Leg.StopAudio();
                    talk.PlayHoldMusic();
                }
            }
            var display = "Hotline transfer";
            var (leg, contact, failure, status) = await DialFirstAsync(target.Party, target.Contacts, display, target.RingTimeout, _callerGone.Task, CancellationToken.None);
            if (leg is not null && ConnectTransferTarget(talk, transfer, leg))
            {
                progress.Report(200);
                LogBlindTransferDone(_ctx.Logger, CallId, talk.AgentId, ForLog(target.Party), ForLog(contact));
                // RFC 5589 §6.1: the transferor is released after the success NOTIFY.
                _ = IgnoreFailureAsync(() => talk.Leg.HangupAsync(CancellationToken.None));
                talk.MarkAgentGone();
                transfer.Done.TrySetResult(true);
                return;
            }
            FailBlindTransfer(talk, transfer, progress, failure ?? "abandoned", failure is null ? 487 : status);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogTransferError(_ctx.Logger, ex, CallId, ForLog(target.Party));
            FailBlindTransfer(talk, transfer, progress, "unreachable", 500);
        }
    }

    /// <summary>Bridges caller and the answered target (under the lock); false when the caller left meanwhile.</summary>
    private bool ConnectTransferTarget(TalkStage talk, TransferInFlight transfer, ICallLeg leg)
    {
        var target = transfer.Target;
        TimeSpan? held = null;
        lock (_gate)
        {
            if (_life.IsEnded || _callerGone.Task.IsCompleted || leg.State == CallLegState.Ended)
            {
                _ = IgnoreFailureAsync(() => leg.HangupAsync(CancellationToken.None));
                return false;
            }
            if (_life.IsOnHold) held = talk.EndHold();
            _life.TryMove(CallStage.Transferring, CallStage.Transferred);
            _parties.Three.TransferConnected(target, leg);
            _ctx.Telephony.Bridge(_caller, leg);
        }
        if (target.AgentId is { } agentId) _ctx.Roster.Connect(agentId, CallId);
        leg.Ended += (_, _) => _parties.DepartmentLeft();
        if (leg.State == CallLegState.Ended) _parties.DepartmentLeft();
        if (held is { } h) _session.Emit(new CallEvent { Resumed = new CallResumed { AgentId = talk.AgentId, HeldMs = Tracking.CallTimeline.Ms(h) } });
        return true;
    }

    /// <summary>The target was not reached: the phone learns why, the agent gets TransferFailed, the caller is back with the agent.</summary>
    private void FailBlindTransfer(TalkStage talk, TransferInFlight transfer, ITransferProgress progress, string reason, int sipStatus)
    {
        var target = transfer.Target;
        if (target.AgentId is { } agentId) _ctx.Roster.ReleaseRing(agentId, CallId, null);
        progress.Report(sipStatus is >= 300 and <= 699 ? sipStatus : 480);
        lock (_gate)
        {
            transfer.FailedWithoutAgent = talk.AgentGone.IsCompleted;
            _life.TryMove(CallStage.Transferring, CallStage.Talking);
        }
        _parties.Notify(talk.AgentId, new CallEvent { TransferFailed = new TransferFailed { DepartmentId = target.DepartmentId ?? target.Party, Attempts = 1, Reason = reason } });
        LogBlindTransferFailed(_ctx.Logger, CallId, talk.AgentId, ForLog(target.Party), reason);
        transfer.Done.TrySetResult(false);
        lock (_gate)
        {
            if (_life.IsEnded || _callerGone.Task.IsCompleted || talk.AgentGone.IsCompleted || _life.IsOnHold) return;
            _ctx.Telephony.Bridge(_caller, talk.Leg); // Back with the agent, off the hold music.
        }
    }

    /// <summary>The agent's phone hung up and its blind transfer failed: nobody to reconnect to; the matter goes to dispatch.</summary>
    private async Task<(HangupBy, string, TimeSpan)> EndAfterFailedTransferAsync(TalkStage talk, CancellationToken ct)
    {
        lock (_gate) _parties.Three.MarkAgentLeft();
        _timeline.EndedAt = _ctx.Time.GetUtcNow();
        lock (_gate)
            if (_life.TryResume()) _timeline.HoldEnded(_timeline.EndedAt.Value);
        var wrapUp = _ctx.Roster.EndCall(talk.AgentId, CallId);
        await _parties.HangupAllAsync(talk.Leg);
        return (_callerGone.Task.IsCompleted ? HangupBy.Caller : HangupBy.System, "transfer-failed", await wrapUp.WaitAsync(ct));
    }

    /// <summary>The agent a blind transfer reached is done with the call (to wrap-up) once it ends.</summary>
    private void EndTargetAgentCall()
    {
        string? agentId;
        lock (_gate) agentId = _parties.Three.TakeTargetAgent();
        if (agentId is not null) _ = _ctx.Roster.EndCall(agentId, CallId);
    }

    /// <summary>STYLE.md: no full phone numbers at Information level — an external target's number keeps its last four digits.</summary>
    private static string ForLog(string party)
    {
        if (!party.StartsWith("sip:", StringComparison.OrdinalIgnoreCase)) return party;
        var at = party.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? party : "sip:" + Routing.CallerNumber.Mask(party[4..at]) + party[at..];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: agent {AgentId}'s phone asked for a blind transfer to {Target}")]
    private static partial void LogBlindTransfer(ILogger logger, string callId, string agentId, string target);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: blind transfer from agent {AgentId} to {Target} answered by {Contact}")]
    private static partial void LogBlindTransferDone(ILogger logger, string callId, string agentId, string target, string contact);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: blind transfer from agent {AgentId} to {Target} failed ({Reason})")]
    private static partial void LogBlindTransferFailed(ILogger logger, string callId, string agentId, string target, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: transfer from agent {AgentId} refused with {Status}: {Why}")]
    private static partial void LogTransferRefused(ILogger logger, string callId, string agentId, int status, string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "Call {CallId}: blind transfer to {Target} failed")]
    private static partial void LogTransferError(ILogger logger, Exception ex, string callId, string target);
}
