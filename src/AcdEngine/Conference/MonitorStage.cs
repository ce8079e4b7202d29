using Hotline.AcdEngine.Calls;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Conference;

/// <summary>
/// Supervisor monitoring (CTI Monitor): the engine rings the supervisor's phone; on answer the call moves into a
/// mixer and the supervisor joins it listening (heard by nobody), whispering (heard by the agent only) or barging
/// (heard by all). The supervisor hanging up leaves the call as it was. The supervisors in the call are the
/// <see cref="ThreeWayState.Supervisors"/> of its <see cref="CallParties"/>.
/// </summary>
internal sealed partial class MonitorStage(CallParties call, string hotlineNumber, TimeSpan ringTimeout, ILogger logger)
{
    /// <summary>Rings <paramref name="supervisorUser"/>; they join on answer. False (and why) when the call cannot be monitored now.</summary>
    public bool Start(string supervisorUser, MonitorMode mode, out string error)
    {
        if (string.IsNullOrWhiteSpace(supervisorUser)) { error = "supervisor_user is required."; return false; }
        if (mode is not (MonitorMode.Listen or MonitorMode.Whisper or MonitorMode.Barge)) { error = "mode must be listen, whisper or barge."; return false; }
        const string notConnected = "The call is not connected to an agent.";
        var (talk, refused) = call.Owner.TryRun<(TalkStage?, string?)>(() =>
        {
            if (call.LiveTalk is null || call.Three.AgentLeft) return (null, notConnected);
            if (call.Life.IsOnHold) return (null, "The call is on hold.");
            if (call.Three.Supervisors.Any(s => s.User == supervisorUser && s.Leg.State != CallLegState.Ended)) return (null, "That supervisor is already on this call.");
            return (call.Talk, null);
        }, ended: (null, notConnected));
        if (talk is null) { error = refused!; return false; }
        IOutboundCall dial;
        try
        {
            dial = call.Telephony.Dial(supervisorUser, new DialOptions
            {
                CallerId = hotlineNumber,
                DisplayName = "Monitor " + mode.ToString().ToLowerInvariant(),
                RingTimeout = ringTimeout,
                Headers = new Dictionary<string, string>(StringComparer.Ordinal) { ["X-Hotline-Call"] = call.CallId },
            });
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IOException)
        {
            error = "The supervisor's phone cannot be called: " + ex.Message;
            return false;
        }
        _ = JoinAsync(talk, dial, supervisorUser, mode);
        error = "";
        return true;
    }

    private async Task JoinAsync(TalkStage talk, IOutboundCall dial, string user, MonitorMode mode)
    {
        var result = await dial.Answered.ConfigureAwait(false);
        if (!result.IsAnswered)
        {
            LogMonitorUnanswered(logger, call.CallId, result.SipStatus);
            return;
        }
        var leg = dial.Leg;
        var joined = false;
        // The supervisor answered (awaited outside the owner): joining the mixer is a command.
        call.Owner.TryRun(() =>
        {
            if (!call.Life.IsEnded && !call.Three.AgentLeft && !talk.AgentGone.IsCompleted && !call.CallerGone.IsCompleted && !call.Life.IsOnHold)
            {
                var conference = call.EnsureConference(talk);
                try
                {
                    switch (mode)
                    {
                        case MonitorMode.Listen: conference.Add(leg, listenOnly: true); break;
                        case MonitorMode.Whisper: conference.AddWhisper(leg, talk.Leg); break;
                        default: conference.Add(leg); break;
                    }
                    call.Three.Supervisors.Add((user, leg));
                    joined = true;
                }
                catch (NotSupportedException ex)
                {
                    LogMonitorUnsupported(logger, call.CallId, mode, ex.Message);
                }
            }
        });
        if (!joined)
        {
            await CallSession.HangupQuietlyAsync(leg);
            return;
        }
        leg.Ended += (_, _) => OnSupervisorLeft(leg);
        call.EmitParties();
        LogMonitoring(logger, call.CallId, mode);
    }

    private void OnSupervisorLeft(ICallLeg leg)
    {
        var removed = call.Owner.TryRun(() =>
        {
            if (call.Life.IsEnded) return false;
            call.Three.Conference?.Remove(leg);
            return true;
        }, ended: false);
        if (removed) call.EmitParties();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: supervisor joined ({Mode})")]
    private static partial void LogMonitoring(ILogger logger, string callId, MonitorMode mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: supervisor did not answer the monitor call ({SipStatus})")]
    private static partial void LogMonitorUnanswered(ILogger logger, string callId, int sipStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: monitor mode {Mode} not available: {Error}")]
    private static partial void LogMonitorUnsupported(ILogger logger, string callId, MonitorMode mode, string error);
}
