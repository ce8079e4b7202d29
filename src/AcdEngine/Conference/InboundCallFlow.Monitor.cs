using Hotline.AcdEngine.Calls;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// Supervisor monitoring (CTI Monitor): the engine rings the supervisor's phone; on answer the call moves into a
/// mixer and the supervisor joins it listening (heard by nobody), whispering (heard by the agent only) or barging
/// (heard by all). The supervisor hanging up leaves the call as it was.
/// </summary>
public sealed partial class InboundCallFlow
{
    public bool Monitor(string supervisorUser, MonitorMode mode, out string error)
    {
        if (string.IsNullOrWhiteSpace(supervisorUser)) { error = "supervisor_user is required."; return false; }
        if (mode is not (MonitorMode.Listen or MonitorMode.Whisper or MonitorMode.Barge)) { error = "mode must be listen, whisper or barge."; return false; }
        TalkStage talk;
        lock (_gate)
        {
            if (_talk is null || _three.AgentLeft || _life.IsEnded) { error = "The call is not connected to an agent."; return false; }
            if (_life.IsOnHold) { error = "The call is on hold."; return false; }
            if (_three.Supervisors.Any(s => s.User == supervisorUser && s.Leg.State != CallLegState.Ended)) { error = "That supervisor is already on this call."; return false; }
            talk = _talk;
        }
        IOutboundCall dial;
        try
        {
            dial = _ctx.Telephony.Dial(supervisorUser, new DialOptions
            {
                CallerId = _ctx.Options.HotlineNumber,
                DisplayName = "Monitor " + mode.ToString().ToLowerInvariant(),
                RingTimeout = TimeSpan.FromSeconds(_ctx.Departments?.Options.RingTimeoutSeconds ?? 20),
                Headers = new Dictionary<string, string>(StringComparer.Ordinal) { ["X-Hotline-Call"] = CallId },
            });
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IOException)
        {
            error = "The supervisor's phone cannot be called: " + ex.Message;
            return false;
        }
        _ = JoinSupervisorAsync(talk, dial, supervisorUser, mode);
        error = "";
        return true;
    }

    private async Task JoinSupervisorAsync(TalkStage talk, IOutboundCall dial, string user, MonitorMode mode)
    {
        var result = await dial.Answered.ConfigureAwait(false);
        if (!result.IsAnswered)
        {
            LogMonitorUnanswered(_ctx.Logger, CallId, result.SipStatus);
            return;
        }
        var leg = dial.Leg;
        var joined = false;
        lock (_gate)
        {
            if (!_life.IsEnded && !_three.AgentLeft && !talk.AgentGone.IsCompleted && !_callerGone.Task.IsCompleted && !_life.IsOnHold)
            {
                var conference = EnsureConferenceLocked(talk);
                try
                {
                    switch (mode)
                    {
                        case MonitorMode.Listen: conference.Add(leg, listenOnly: true); break;
                        case MonitorMode.Whisper: conference.AddWhisper(leg, talk.Leg); break;
                        default: conference.Add(leg); break;
                    }
                    _three.Supervisors.Add((user, leg));
                    joined = true;
                }
                catch (NotSupportedException ex)
                {
                    LogMonitorUnsupported(_ctx.Logger, CallId, mode, ex.Message);
                }
            }
        }
        if (!joined)
        {
            await IgnoreFailureAsync(() => leg.HangupAsync(CancellationToken.None));
            return;
        }
        leg.Ended += (_, _) => OnSupervisorLeft(leg);
        EmitParties();
        LogMonitoring(_ctx.Logger, CallId, mode);
    }

    private void OnSupervisorLeft(ICallLeg leg)
    {
        lock (_gate)
        {
            if (_life.IsEnded) return;
            _three.Conference?.Remove(leg);
        }
        EmitParties();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: supervisor joined ({Mode})")]
    private static partial void LogMonitoring(ILogger logger, string callId, MonitorMode mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: supervisor did not answer the monitor call ({SipStatus})")]
    private static partial void LogMonitorUnanswered(ILogger logger, string callId, int sipStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: monitor mode {Mode} not available: {Error}")]
    private static partial void LogMonitorUnsupported(ILogger logger, string callId, MonitorMode mode, string error);
}
