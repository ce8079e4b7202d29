using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Tracking;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Hotline.AcdEngine.Dialing;

namespace Hotline.AcdEngine.Outbound;

/// <summary>What an outbound call is for: who places it, which number, which work order (callback), from where.</summary>
public sealed record OutboundRequest(string AgentId, string AgentUser, string Number, string Target, string? WorkOrderId, ICallLeg? AgentLeg);

/// <summary>
/// One outbound call (issue 10): the agent's phone is rung first (or, dialled from the softphone, its INVITE is
/// answered), then the number through <c>Outbound:Gateway</c>; both are bridged. The same timeline events as an
/// inbound call, with <see cref="CallDirection.Outbound"/>; when the agent hangs up first the called party gets the
/// survey. Events, timeline, stage, recording, survey and teardown are its <see cref="CallSession"/>'s, and the talk
/// (hold with music and announcements, the agent's hang-up) its <see cref="TalkStage"/>'s, as inbound.
/// </summary>
public sealed partial class OutboundCallFlow : Routing.ICallControl
{
    private readonly CallFlowContext _ctx;
    private readonly OutboundOptions _options;
    private readonly OutboundRequest _request;
    private readonly CallSession _session;
    private readonly CallTimeline _timeline; // _session's
    private readonly TaskCompletionSource _agentGone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _partyGone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CallOwner _owner; // _session's: the legs, the talk and the agent's hang-up are read and set only on it.
    private ICallLeg? _agentLeg;
    private ICallLeg? _party;
    private TalkStage? _talk; // Once the called party answered: the agent and the party talking, hold (as inbound).

    public OutboundCallFlow(CallFlowContext ctx, OutboundOptions options, OutboundRequest request)
    {
        _ctx = ctx;
        _options = options;
        _request = request;
        _session = ctx.NewSession(CallDirection.Outbound);
        _timeline = _session.Timeline;
        _owner = _session.Owner;
    }

    public string CallId => _session.CallId;

    /// <summary>Where the call is now: ringing the agent or the number, talking, the survey, ended.</summary>
    public CallStage Stage => _session.Lifecycle.Stage;
    public string AgentId => _request.AgentId;
    public string Number => _request.Number;
    public string? WorkOrderId => _request.WorkOrderId;
    public string Queue => _options.Queue;

    /// <summary>Agent answer → INVITE to the gateway, from the injected clock (issue 10 figure: under 50 ms).</summary>
    public TimeSpan? SetupTime { get; private set; }

    /// <summary>Reserves the agent (Ready → Ringing) for this call; false when the agent is not ready.</summary>
    internal bool TryReserve() => _ctx.Roster.TryReserve(_request.AgentId, CallId);

    /// <summary>The call's life (<see cref="CallSession.RunAsync"/>, as inbound): its phases, then the teardown and CallEnded.</summary>
    public Task RunAsync(CancellationToken ct) => _session.RunAsync(
        new CallOffered { CallerNumber = _request.Number, DialedNumber = _request.Number, WorkOrderId = _request.WorkOrderId ?? "", AgentId = _request.AgentId },
        async token =>
        {
            LogOffered(_ctx.Logger, CallId, _request.AgentId, CallerNumber.Mask(_request.Number), _request.WorkOrderId ?? "");
            return await RunPhasesAsync(token);
        },
        legs: () =>
        {
            var (party, agentLeg) = _owner.Run(() => (_party, _agentLeg));
            return [party, agentLeg];
        },
        onFailure: ReleaseAgent, // The agent is never left ringing or talking on a call that is gone.
        ct: ct);

    private async Task<(HangupBy, string, TimeSpan)> RunPhasesAsync(CancellationToken ct)
    {
        // 1. The agent: ring their phone, or answer the INVITE they sent from the softphone.
        _session.Lifecycle.Move(CallStage.Ringing);
        var ring = _timeline.StartRing(_request.AgentId, _ctx.Time.GetUtcNow());
        _session.Emit(new CallEvent { AgentRinging = new AgentRinging { AgentId = _request.AgentId, Queue = _options.Queue, Attempt = 1 } });
        var agentLeg = await ConnectAgentAsync(ct);
        var answeredAt = _ctx.Time.GetUtcNow();
        ring.End = answeredAt;
        if (agentLeg is null)
        {
            ring.Result = RingResult.NoAnswer;
            _ctx.Roster.ReleaseRing(_request.AgentId, CallId, null);
            _session.Emit(new CallEvent { RingEnded = new RingEnded { AgentId = _request.AgentId, Attempt = 1, Result = RingResult.NoAnswer, RingMs = CallTimeline.Ms(answeredAt - ring.Start) } });
            _timeline.EndedAt = answeredAt;
            return (HangupBy.Agent, "agent-no-answer", TimeSpan.Zero);
        }
        ring.Result = RingResult.Answered;

        // 2. The number, through the gateway, before anything else (the figure: agent answer → gateway INVITE).
        var dial = _ctx.Telephony.Dial(_request.Target, new DialOptions
        {
            CallerId = _options.CallerId.Length > 0 ? _options.CallerId : _ctx.Options.HotlineNumber,
            RingTimeout = TimeSpan.FromSeconds(_options.NumberRingTimeoutSeconds),
            Headers = new Dictionary<string, string>(StringComparer.Ordinal) { ["X-Hotline-Call"] = CallId },
        });
        SetupTime = _ctx.Time.GetUtcNow() - answeredAt;
        _ctx.Roster.Connect(_request.AgentId, CallId);
        _session.Emit(new CallEvent { RingEnded = new RingEnded { AgentId = _request.AgentId, Attempt = 1, Result = RingResult.Answered, RingMs = CallTimeline.Ms(answeredAt - ring.Start), SipStatus = 200 } });
        LogDialing(_ctx.Logger, CallId, CallerNumber.Mask(_request.Number), SetupTime.Value.TotalMilliseconds);

        await Task.WhenAny(dial.Answered, _agentGone.Task);
        if (!dial.Answered.IsCompleted)
        {
            dial.Cancel(); // The agent gave up while the number rang.
            return await EndAgentAsync(HangupBy.Agent, "agent-cancelled", ct);
        }
        var result = dial.Answered.IsCompletedSuccessfully ? dial.Answered.Result : new DialResult(false, 0, "error");
        if (!result.IsAnswered)
        {
            LogNotReached(_ctx.Logger, CallId, result.SipStatus);
            return await EndAgentAsync(HangupBy.System, NotReached(result.SipStatus), ct);
        }

        // 3. Bridged: the talk stage (hold, the agent's hang-up) until either hangs up; the agent first → the called
        // party rates the service.
        var party = dial.Leg;
        party.Ended += (_, _) => _partyGone.TrySetResult();
        if (party.State == CallLegState.Ended) _partyGone.TrySetResult();
        var talk = new TalkStage(_session, party, _partyGone.Task, _request.AgentId, agentLeg, _ctx.Telephony, _ctx.Prompts, _ctx.Time, _ctx.Logger, inConference: static () => false);
        _session.StartRecording(party); // Before the bridge: the recording holds the conversation from its first frame.
        _owner.Run(() =>
        {
            // One command: a hold from the desk or the phone finds the call talking and bridged, never half of it.
            _party = party;
            _talk = talk;
            _session.Lifecycle.Move(CallStage.Talking);
            // RFC 3264 §8.4: the agent's phone puts the called party on hold with a sendonly re-INVITE, resumes with sendrecv.
            agentLeg.RemoteHold += (_, e) => _ = e.OnHold ? Hold(_request.AgentId) : Resume(_request.AgentId);
            // The bridge carries PCM only: telephone-events the agent keys (the desk's pad, a softphone's keys) are
            // relayed to the called party as RFC 4733 events of their own, so a far IVR can be driven from the desk.
            agentLeg.Dtmf += (_, e) => RelayDigit(party, e);
            talk.Bridge();
        });
        var now = _ctx.Time.GetUtcNow();
        _timeline.AnsweredAt = now;
        _timeline.FirstResponder = _request.AgentId;
        _session.Emit(new CallEvent { Answered = new CallAnswered { AgentId = _request.AgentId, Queue = _options.Queue, WaitMs = 0, WithinServiceLevel = true } });
        await Task.WhenAny(talk.AgentGone, _agentGone.Task, _partyGone.Task);
        var (byAgent, wrapUp) = await talk.EndAsync(() => _ctx.Roster.EndCall(_request.AgentId, CallId), _options.Queue, ct);
        return (byAgent ? HangupBy.Agent : HangupBy.Caller, "normal", wrapUp);
    }

    /// <summary>The agent's leg once connected; null when the agent did not answer (or hung up first).</summary>
    private async Task<ICallLeg?> ConnectAgentAsync(CancellationToken ct)
    {
        ICallLeg leg;
        if (_request.AgentLeg is { } own)
        {
            leg = own;
            Watch(leg);
            await leg.AnswerAsync(ct);
            return leg.State == CallLegState.Connected ? leg : null;
        }
        var dial = _ctx.Telephony.Dial(_request.AgentUser, new DialOptions
        {
            CallerId = _request.Number,
            DisplayName = _request.WorkOrderId is { Length: > 0 } wo ? "Callback " + wo : "Outbound",
            RingTimeout = TimeSpan.FromSeconds(_options.AgentRingTimeoutSeconds),
            Headers = new Dictionary<string, string>(StringComparer.Ordinal) { ["X-Hotline-Call"] = CallId },
        });
        var result = await dial.Answered.WaitAsync(ct);
        if (!result.IsAnswered) return null;
        leg = dial.Leg;
        Watch(leg);
        return leg.State == CallLegState.Connected ? leg : null;
    }

    /// <summary>RFC 4733 §2.5: the agent's digit with its own duration (40 ms to 1 s), to the called party while it is up.</summary>
    private void RelayDigit(ICallLeg party, DtmfEventArgs e)
    {
        if (party.State != CallLegState.Connected || _partyGone.Task.IsCompleted) return;
        var relayed = party.SendDtmf(e.Digit, Math.Clamp(e.DurationMs, 40, 1000));
        LogDigitRelayed(_ctx.Logger, CallId, relayed); // The digit itself is not logged (it may be a PIN).
    }

    private void Watch(ICallLeg agentLeg)
    {
        agentLeg.Ended += (_, _) => _agentGone.TrySetResult();
        if (agentLeg.State == CallLegState.Ended) _agentGone.TrySetResult();
        _owner.Run(() => _agentLeg = agentLeg);
    }

    private async Task<(HangupBy, string, TimeSpan)> EndAgentAsync(HangupBy by, string reason, CancellationToken ct)
    {
        _timeline.EndedAt = _ctx.Time.GetUtcNow();
        await CallSession.HangupQuietlyAsync(_owner.Run(() => _agentLeg));
        return (by, reason, await _ctx.Roster.EndCall(_request.AgentId, CallId).WaitAsync(ct));
    }

    /// <summary>After a failure: the agent is never left ringing or talking on a call that is gone.</summary>
    private void ReleaseAgent()
    {
        try
        {
            var agent = _ctx.Roster.Get(_request.AgentId);
            if (agent.CallId != CallId) return;
            if (agent.State == Agents.AgentState.Ringing) _ctx.Roster.ReleaseRing(_request.AgentId, CallId, "unreachable");
            else if (agent.State == Agents.AgentState.Talking) _ = _ctx.Roster.EndCall(_request.AgentId, CallId);
        }
        catch (Agents.AgentTransitionException)
        {
            // Changed meanwhile (e.g. signed out): nothing to release.
        }
    }

    private static string NotReached(int sipStatus) => sipStatus switch
    {
        486 or 600 => "busy",
        0 or 408 or 480 => "no-answer",
        603 => "declined",
        _ => "unreachable",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbound call {CallId} by {AgentId} to {Number} (work order '{WorkOrderId}')")]
    private static partial void LogOffered(ILogger logger, string callId, string agentId, string number, string workOrderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbound call {CallId}: agent answered, dialling {Number} after {SetupMs} ms")]
    private static partial void LogDialing(ILogger logger, string callId, string number, double setupMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbound call {CallId}: the agent's digit relayed to the called party: {Relayed}")]
    private static partial void LogDigitRelayed(ILogger logger, string callId, bool relayed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbound call {CallId}: number not reached (SIP {Status})")]
    private static partial void LogNotReached(ILogger logger, string callId, int status);
}
