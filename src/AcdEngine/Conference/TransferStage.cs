using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Dialing;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Conference;

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
/// The transfer in flight is the call's <see cref="ThreeWayState.Transfer"/>; the stage reaches the call only through
/// its <see cref="CallParties"/>.
/// </summary>
internal sealed partial class TransferStage(CallParties call, AgentRoster roster, DepartmentDirectory? departments, DialPlan? dialPlan,
    int ringTimeoutSeconds, string hotlineNumber, ILogger logger)
{
    /// <summary>The agent's phone sent REFER on <paramref name="agentLeg"/>: refused (its status set), or accepted and under way.</summary>
    public void OnTransferRequested(ICallLeg agentLeg, TransferRequestedEventArgs e)
    {
        // The REFER's refusal status must be set before this handler returns: the SIP layer answers with it. So the
        // checks run as a command whose answer this thread waits for (short: no SIP awaited inside).
        var (talk, refusal) = call.Owner.TryRun<(TalkStage?, int)>(() =>
        {
            if (call.Talk is not { } t || !ReferenceEquals(t.Leg, agentLeg) || call.Three.AgentLeft || call.Life.IsEnded || call.CallerGone.IsCompleted)
                return (null, 481); // Nothing to transfer any more.
            if (call.Life.Stage is CallStage.Transferring or CallStage.Consulting)
                return (null, 491); // RFC 3261 §21.4.27 Request Pending: a transfer or consult is already under way.
            return (t, 0);
        }, ended: (null, 481));
        if (talk is null)
        {
            e.RefuseStatus = refusal;
            return;
        }
        if (e.Replaces is { } replaces)
        {
            Attended(talk, replaces, e);
            return;
        }
        if (!TransferTarget.TryResolve(departments, roster, ringTimeoutSeconds, dialPlan, e.TargetUser, talk.AgentId, call.Time.GetUtcNow(), out var target, out var refuse, out var why))
        {
            LogTransferRefused(logger, call.CallId, talk.AgentId, refuse, why);
            e.RefuseStatus = refuse;
            return;
        }
        var department = call.Owner.TryRun(() => call.Three.HasDepartment ? call.Three.DepartmentLeg : null, ended: null);
        if (department is not null)
        {
            // Already in a three-way call: a blind REFER to that same department just completes the transfer.
            if (target!.DepartmentId is null || target.DepartmentId != call.Three.DepartmentId)
            {
                e.RefuseStatus = 403;
                return;
            }
            LeaveToDepartment(talk, "blind", e.Accept());
            return;
        }
        if (target!.AgentId is { } targetAgent && !roster.TryReserve(targetAgent, call.CallId))
        {
            e.RefuseStatus = 486; // The other agent is not ready.
            return;
        }
        var transfer = new TransferInFlight(target);
        var started = call.Owner.TryRun(() =>
        {
            // Checked again with the target resolved: a second REFER or a consult may have started meanwhile.
            var starts = call.Three.DepartmentLeg is null && call.Life.TryMove(CallStage.Talking, CallStage.Transferring);
            if (starts) call.Three.Transfer = transfer;
            return starts;
        }, ended: false);
        if (!started)
        {
            if (target.AgentId is { } reserved) roster.ReleaseRing(reserved, call.CallId, null);
            e.RefuseStatus = 491;
            return;
        }
        var progress = e.Accept();
        LogBlindTransfer(logger, call.CallId, talk.AgentId, TransferTarget.Masked(target.Party));
        _ = RunBlindTransferAsync(talk, transfer, progress);
    }

    /// <summary>RFC 3891: Replaces must name the department leg this call consulted; then the agent simply leaves.</summary>
    private void Attended(TalkStage talk, TransferReplaces replaces, TransferRequestedEventArgs e)
    {
        var matches = call.Owner.TryRun(() => call.Three.HasDepartment && call.Three.DepartmentLeg!.IsDialog(replaces), ended: false);
        var progress = e.Accept();
        if (!matches)
        {
            // As the INVITE with this Replaces would have been answered (RFC 3891 §3): no such dialog.
            LogTransferRefused(logger, call.CallId, talk.AgentId, 481, "Replaces names no consultation of this call");
            progress.Report(481, "Call/Transaction Does Not Exist");
            return;
        }
        LeaveToDepartment(talk, "attended", progress);
    }

    /// <summary>The agent leaves a call the department is in: success to the phone, then our BYE (the usual path follows).</summary>
    private void LeaveToDepartment(TalkStage talk, string kind, ITransferProgress progress)
    {
        call.Owner.TryRun(() => call.Three.AgentTransfers(kind));
        progress.Report(200);
        _ = CallSession.HangupQuietlyAsync(talk.Leg);
        talk.MarkAgentGone();
    }

    private async Task RunBlindTransferAsync(TalkStage talk, TransferInFlight transfer, ITransferProgress progress)
    {
        var target = transfer.Target;
        try
        {
            call.Owner.TryRun(() =>
            {
                // The caller waits with hold music (the agent's own hold, if any, already plays it).
                if (!call.Life.IsOnHold && !call.Life.IsEnded)
                {
                    talk.Leg.StopAudio();
                    talk.PlayHoldMusic();
                }
            });
            var display = "Hotline transfer";
            var (leg, contact, failure, status) = await new ContactDialer(call.Telephony, hotlineNumber, logger).DialFirstAsync(call.CallId, target.Party, target.Contacts, display, target.RingTimeout, call.CallerGone, CancellationToken.None);
            if (leg is not null && ConnectTransferTarget(talk, transfer, leg))
            {
                progress.Report(200);
                LogBlindTransferDone(logger, call.CallId, talk.AgentId, TransferTarget.Masked(target.Party), TransferTarget.Masked(contact));
                // RFC 5589 §6.1: the transferor is released after the success NOTIFY.
                _ = CallSession.HangupQuietlyAsync(talk.Leg);
                talk.MarkAgentGone();
                transfer.Done.TrySetResult(true);
                return;
            }
            FailBlindTransfer(talk, transfer, progress, failure ?? "abandoned", failure is null ? 487 : status);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogTransferError(logger, ex, call.CallId, TransferTarget.Masked(target.Party));
            FailBlindTransfer(talk, transfer, progress, "unreachable", 500);
        }
    }

    /// <summary>Bridges caller and the answered target (a command on the owner); false when the caller left meanwhile.</summary>
    private bool ConnectTransferTarget(TalkStage talk, TransferInFlight transfer, ICallLeg leg)
    {
        var target = transfer.Target;
        TimeSpan? held = null;
        var connected = call.Owner.TryRun(() =>
        {
            if (call.Life.IsEnded || call.CallerGone.IsCompleted || leg.State == CallLegState.Ended) return false;
            if (call.Life.IsOnHold) held = talk.EndHold();
            call.Life.TryMove(CallStage.Transferring, CallStage.Transferred);
            call.Three.TransferConnected(target, leg);
            call.Telephony.Bridge(call.Caller, leg);
            return true;
        }, ended: false);
        if (!connected)
        {
            _ = CallSession.HangupQuietlyAsync(leg);
            return false;
        }
        if (target.AgentId is { } agentId) roster.Connect(agentId, call.CallId);
        leg.Ended += (_, _) => call.DepartmentLeft();
        if (leg.State == CallLegState.Ended) call.DepartmentLeft();
        if (held is { } h) call.Session.Emit(new CallEvent { Resumed = new CallResumed { AgentId = talk.AgentId, HeldMs = Tracking.CallTimeline.Ms(h) } });
        return true;
    }

    /// <summary>The target was not reached: the phone learns why, the agent gets TransferFailed, the caller is back with the agent.</summary>
    private void FailBlindTransfer(TalkStage talk, TransferInFlight transfer, ITransferProgress progress, string reason, int sipStatus)
    {
        var target = transfer.Target;
        if (target.AgentId is { } agentId) roster.ReleaseRing(agentId, call.CallId, null);
        progress.Report(sipStatus is >= 300 and <= 699 ? sipStatus : 480);
        call.Owner.TryRun(() =>
        {
            transfer.FailedWithoutAgent = talk.AgentGone.IsCompleted;
            call.Life.TryMove(CallStage.Transferring, CallStage.Talking);
        });
        call.Notify(talk.AgentId, new CallEvent { TransferFailed = new TransferFailed { DepartmentId = target.DepartmentId ?? target.Party, Attempts = 1, Reason = reason } });
        LogBlindTransferFailed(logger, call.CallId, talk.AgentId, TransferTarget.Masked(target.Party), reason);
        transfer.Done.TrySetResult(false);
        call.Owner.TryRun(() =>
        {
            if (call.Life.IsEnded || call.CallerGone.IsCompleted || talk.AgentGone.IsCompleted || call.Life.IsOnHold) return;
            talk.Bridge(); // Back with the agent, off the hold music.
        });
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
