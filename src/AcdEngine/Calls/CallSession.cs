using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Recording;
using Hotline.AcdEngine.Survey;
using Hotline.AcdEngine.Tracking;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Calls;

/// <summary>How a call's phases ended (<see cref="CallSession.RunAsync"/>): who hung up, <c>CallEnded.reason</c>, the agent's wrap-up.</summary>
public readonly record struct CallOutcome(HangupBy By, string Reason, TimeSpan WrapUp)
{
    public static implicit operator CallOutcome((HangupBy By, string Reason, TimeSpan WrapUp) t) => new(t.By, t.Reason, t.WrapUp);
}

/// <summary>
/// What every call has, inbound or outbound, written once (issue 16): its id, its stage (<see cref="Lifecycle"/>), its
/// events and timeline, its recording, the hand-off to the survey and the teardown that ends it with
/// <see cref="CallEnded"/>. The call's flow decides when; the session does the bookkeeping, so both flows publish the
/// same events the same way.
/// </summary>
public sealed partial class CallSession
{
    private readonly CallEventStream _events;
    private readonly TimeProvider _time;
    private readonly CallRecordings? _recordings;
    private readonly PostCallSurvey? _survey;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private string? _recordingPath;
    private ICallLeg? _recordedLeg;
    private bool _surveyRequested;

    public CallSession(CallDirection direction, string nodeId, TimeProvider time, IEventSink sink, ILogger logger,
        CallRecordings? recordings = null, PostCallSurvey? survey = null)
    {
        Direction = direction;
        CallId = "c-" + Guid.NewGuid().ToString("N");
        Lifecycle = new CallLifecycle(CallId);
        Timeline = new CallTimeline(time.GetUtcNow());
        _events = new CallEventStream(CallId, nodeId, time, sink);
        _time = time;
        _logger = logger;
        _recordings = recordings;
        _survey = survey;
        Owner = new CallOwner(CallId, ex => LogCommandFailed(_logger, ex, CallId));
    }

    /// <summary>
    /// The one owner of this call's mutable state (issue 16): the flow, its stages and every event or command from
    /// outside change the call only inside its commands. Closed when the call has ended.
    /// </summary>
    public CallOwner Owner { get; }

    /// <summary>The engine's id of this call (stable for its whole life; on every event).</summary>
    public string CallId { get; }

    public CallDirection Direction { get; }

    /// <summary>The caller's stage; the one door for moving it.</summary>
    public CallLifecycle Lifecycle { get; }

    /// <summary>Instants of the call for <see cref="CallEnded"/> (written by the flow's single path through the call).</summary>
    public CallTimeline Timeline { get; }

    /// <summary>Stamps (id, call id, per-call sequence, node, time) and appends an event to the outbox; returns it.</summary>
    public CallEvent Emit(CallEvent evt) => _events.Emit(evt);

    /// <summary>Every line logged for this call carries its id (a CallId property: JSON logs, the log file's properties).</summary>
    public IDisposable? BeginLogScope() => _logger.BeginScope(new Dictionary<string, object> { ["CallId"] = CallId });

    /// <summary>
    /// Starts recording <paramref name="leg"/> once (issue 8, <c>Recording:Enabled</c>): the caller's leg inbound, the
    /// called party's outbound — the leg that hears every other party, so one WAV holds the conversation.
    /// </summary>
    public void StartRecording(ICallLeg leg)
    {
        if (_recordings is not { Enabled: true } recordings) return;
        lock (_gate)
        {
            if (_recordingPath is not null) return;
            _recordingPath = recordings.Start(leg, CallId);
            if (_recordingPath is not null) _recordedLeg = leg;
        }
    }

    /// <summary>Stops the recording (call over); emits <see cref="RecordingAvailable"/>; the location for CallEnded, or "".</summary>
    public string FinishRecording()
    {
        string? path;
        ICallLeg? leg;
        lock (_gate)
        {
            (path, leg) = (_recordingPath, _recordedLeg);
            (_recordingPath, _recordedLeg) = (null, null);
        }
        if (path is null || leg is null || _recordings is not { } recordings) return "";
        var file = recordings.Stop(leg, path);
        if (file is null) return "";
        Emit(new CallEvent { RecordingAvailable = new RecordingAvailable { Location = file.Location, DurationMs = CallTimeline.Ms(file.Duration) } });
        return file.Location;
    }

    /// <summary>Whether this engine has a survey at all (<c>Survey:*</c> configured); CTI TransferToSurvey needs one.</summary>
    public bool HasSurvey => _survey is not null;

    /// <summary>CTI TransferToSurvey: the survey runs when the agent leaves, even when <c>Survey:Enabled</c> is off.</summary>
    public void RequestSurvey()
    {
        lock (_gate) _surveyRequested = true;
    }

    /// <summary>
    /// The agent left first (DOMAIN.md "after the call the caller rates", inbound and outbound alike): the survey on
    /// <paramref name="leg"/> when it is due; emits <see cref="SatisfactionRated"/>, then thanks a rating caller.
    /// </summary>
    public async Task SurveyAsync(ICallLeg leg, string agentId, string queue, CancellationToken ct)
    {
        bool requested;
        lock (_gate) requested = _surveyRequested;
        if (_survey is not { } survey || await survey.RunIfDueAsync(leg, requested, ct) is not { } score) return;
        Emit(new CallEvent
        {
            SatisfactionRated = new SatisfactionRated { AgentId = agentId, Queue = queue, Score = score, Direction = Direction },
        });
        LogRated(_logger, CallId, agentId, score);
        if (score != SatisfactionScore.NotRated) await survey.ThankAsync(leg, ct);
    }

    /// <summary>
    /// The teardown, once, whatever ended the call: the recording is closed, every leg still up is hung up (best
    /// effort), the stage becomes <see cref="CallStage.Ended"/>. Returns the recording's location ("" for none).
    /// </summary>
    public async Task<string> ReleaseAsync(params ICallLeg?[] legs)
    {
        var recording = FinishRecording();
        foreach (var leg in legs) await HangupQuietlyAsync(leg);
        Lifecycle.End();
        return recording;
    }

    /// <summary>
    /// The call's talk ends at <paramref name="endedAt"/>: the timeline's end instant, and an open hold closed there
    /// (counted to the hold time). A command on <see cref="Owner"/>: the hold is the owner's state.
    /// </summary>
    public void EndTalkAt(DateTimeOffset endedAt)
    {
        Timeline.EndedAt = endedAt;
        if (Lifecycle.TryResume()) Timeline.HoldEnded(endedAt);
    }

    /// <summary>Emits <see cref="CallEnded"/> with the timeline's summary (after the agent's wrap-up, so wrap_up_ms is true).</summary>
    public CallEnded Ended(HangupBy by, string reason, TimeSpan wrapUp, string recording, TimeSpan conference = default)
    {
        Timeline.EndedAt ??= _time.GetUtcNow();
        var summary = Timeline.Summary(by, reason, wrapUp);
        summary.Direction = Direction;
        summary.ConferenceMs = CallTimeline.Ms(conference);
        summary.Recording = recording;
        Emit(new CallEvent { Ended = summary });
        return summary;
    }

    /// <summary>
    /// A call's whole life, the one skeleton of both flows: in this call's log scope, <see cref="CallOffered"/>, then the
    /// flow's <paramref name="phases"/>. A shutdown ends the call as "shutdown"; a failure (a leg that throws) as
    /// "error" after <paramref name="onFailure"/>, without taking the engine down. Whatever happened, the teardown runs:
    /// <paramref name="closeConference"/> (what a three-way part still holds; its conference time), the recording
    /// closed and the <paramref name="legs"/> still up hung up (<see cref="ReleaseAsync"/>); then
    /// <see cref="CallEnded"/>, and the owner is closed so later commands are refused.
    /// </summary>
    public async Task RunAsync(CallOffered offered, Func<CancellationToken, Task<CallOutcome>> phases, Func<ICallLeg?[]> legs,
        Func<Task<TimeSpan>>? closeConference = null, Action? onFailure = null, CancellationToken ct = default)
    {
        // Every line logged by the call's flow and stages carries its id (a CallId property: JSON logs, the log file's).
        using var callScope = BeginLogScope();
        offered.Direction = Direction;
        Emit(new CallEvent { Offered = offered });
        var outcome = new CallOutcome(HangupBy.System, "normal", TimeSpan.Zero);
        var conference = TimeSpan.Zero;
        var recording = "";
        try
        {
            outcome = await phases(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            outcome = outcome with { Reason = "shutdown" };
        }
        catch (Exception ex)
        {
            LogFailed(_logger, ex, Direction, CallId);
            outcome = outcome with { Reason = "error" };
            onFailure?.Invoke();
        }
        finally
        {
            if (closeConference is not null) conference = await closeConference();
            recording = await ReleaseAsync(legs());
        }
        Ended(outcome.By, outcome.Reason, outcome.WrapUp, recording, conference);
        Owner.Close(); // Later commands (a late CTI request, a leg's event) are refused: the call is over.
        LogEnded(_logger, Direction, CallId, outcome.Reason);
    }

    /// <summary>Hangs a leg up unless it is gone already; a failure on the way out is not the call's failure.</summary>
    public static async Task HangupQuietlyAsync(ICallLeg? leg)
    {
        if (leg is null || leg.State == CallLegState.Ended) return;
        try
        {
            await leg.HangupAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Best effort on the way out: the leg may already be gone.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: survey for agent {AgentId}: {Score}")]
    private static partial void LogRated(ILogger logger, string callId, string agentId, SatisfactionScore score);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Direction} call {CallId} ended: {Reason}")]
    private static partial void LogEnded(ILogger logger, CallDirection direction, string callId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Direction} call {CallId} failed; its legs were released")]
    private static partial void LogFailed(ILogger logger, Exception ex, CallDirection direction, string callId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Call {CallId}: an event for the call failed")]
    private static partial void LogCommandFailed(ILogger logger, Exception ex, string callId);
}
