using System.Text;
using Hotline.Cti.Media.Sdp;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Calls.Sip;

/// <summary>
/// An INVITE we sent: 180/183 → <see cref="Ringing"/>; 2xx → the SDP answer is applied, media starts, answered;
/// a 2xx with an unusable answer → BYE and 488; non-2xx → its status; no answer within the ring timeout → CANCEL
/// (RFC 3261 §9.1), reported as 408 so the ACD sees a no-answer (RONA).
/// </summary>
internal sealed partial class SipOutboundCall : IOutboundCall
{
    private readonly SipCallLeg _leg;
    private readonly OutgoingInviteSession _session;
    private readonly SdpAnswerer _sdp;
    // Continuations run inline (no RunContinuationsAsynchronously): OnFinal already runs on a pool thread, never on the
    // transport's receive loop, and a hop here cost the outbound set-up (agent answer → gateway INVITE, issue 10)
    // one more thread-pool queueing under load.
    private readonly TaskCompletionSource<DialResult> _answered = new();
    private readonly TaskCompletionSource _ringing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer _ringTimer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _timedOut;
    private int _cancelled;

    public SipOutboundCall(SipCallLeg leg, OutgoingInviteSession session, SdpAnswerer sdp, TimeSpan ringTimeout, TimeProvider time, ILogger logger)
    {
        _leg = leg;
        _time = time;
        _logger = logger;
        _session = session;
        _sdp = sdp;
        session.ProvisionalReceived += (_, r) =>
        {
            if (r.StatusCode is 180 or 183) _ringing.TrySetResult();
        };
        _ringTimer = time.CreateTimer(_ => OnRingTimeout(), null, ringTimeout, Timeout.InfiniteTimeSpan);
        session.Answer.ContinueWith(t => OnFinal(t), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public ICallLeg Leg => _leg;

    public Task<DialResult> Answered => _answered.Task;

    public Task Ringing => _ringing.Task;

    public void Cancel() => Cancel(reason: null);

    public void CancelCompletedElsewhere() => Cancel(OutgoingInviteSession.CompletedElsewhere);

    private void Cancel(string? reason)
    {
        Interlocked.Exchange(ref _cancelled, 1);
        _leg.SetLocalCause(HangupCause.LocalHangup);
        // Offering: CANCEL (a 2xx crossing it gets BYE from the session, §9.1). Already answered: nobody else will
        // hang this leg up (the ACD has moved on), so BYE now, or the leg and its RTP port pair stay up for good.
        _session.Cancel(reason);
        if (_session.State == SipSessionState.Connected) _ = HangUpAnsweredAsync();
    }

    private async Task HangUpAnsweredAsync()
    {
        try
        {
            await _leg.HangupAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            // The leg ended meanwhile, or the transport failed: the session ended either way.
        }
    }

    private void OnRingTimeout()
    {
        if (_session.State != SipSessionState.Offering) return;
        Interlocked.Exchange(ref _timedOut, 1);
        _leg.SetLocalCause(HangupCause.Failed);
        _session.Cancel();
    }

    private void OnFinal(Task<SipMessage> task)
    {
        _ringTimer.Dispose();
        if (!task.IsCompletedSuccessfully)
        {
            _answered.TrySetResult(new DialResult(false, 0, task.Exception?.GetBaseException().Message ?? "cancelled"));
            return;
        }
        var response = task.Result;
        var status = response.StatusCode;
        if (status is >= 200 and < 300 && _session.CancelledAfterAnswer)
        {
            // The 2xx crossed our CANCEL (§9.1): the session ACKed it and is hanging up with BYE. The dial did not get
            // through, and is never reported as answered: the ACD would put the caller through to a leg already ending
            // (the far end picked up just as the ring timeout or the caller's leaving hit). 487, not the ring timeout's
            // 408, even then: whoever picked up is at the phone, and 408 would make an agent not ready for no answer.
            _answered.TrySetResult(new DialResult(false, 487, Volatile.Read(ref _timedOut) == 1 && Volatile.Read(ref _cancelled) == 0
                ? "answered as the ring timeout cancelled it"
                : "answered as it was cancelled"));
            return;
        }
        if (status is >= 200 and < 300)
        {
            var started = _time.GetTimestamp();
            var result = response.Body.IsEmpty
                ? new SdpAnswerResult(false, null, null, "no SDP answer in the 2xx")
                : _sdp.AcceptAnswer(Encoding.ASCII.GetString(response.Body.Span));
            if (!result.IsAccepted)
            {
                _leg.SetLocalCause(HangupCause.Failed);
                _answered.TrySetResult(new DialResult(false, SdpAnswerResult.RejectStatusCode, result.RejectReason ?? "unusable SDP answer"));
                _ = _session.HangupAsync();
                return;
            }
            _leg.Media.Apply(result.Media!);
            _leg.Media.Start();
            _leg.MarkConnected();
            var mediaReady = _time.GetTimestamp();
            _answered.TrySetResult(new DialResult(true, status, response.ReasonPhrase ?? "OK"));
            if (_logger.IsEnabled(LogLevel.Debug))
                LogAnswerTiming(_logger, _leg.Id, _time.GetElapsedTime(started, mediaReady).TotalMilliseconds, _time.GetElapsedTime(mediaReady).TotalMilliseconds);
            return;
        }
        // Our own CANCEL after the ring timeout: a no-answer (408), not a cancellation the ACD asked for.
        if (status == 487 && Volatile.Read(ref _timedOut) == 1 && Volatile.Read(ref _cancelled) == 0)
        {
            _answered.TrySetResult(new DialResult(false, 408, "no answer within the ring timeout"));
            return;
        }
        _answered.TrySetResult(new DialResult(false, status, response.ReasonPhrase ?? ""));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Leg {LegId} 2xx: SDP answer + media start {MediaMs} ms, then the answer's continuations (e.g. the next dial) {ContinuationMs} ms")]
    private static partial void LogAnswerTiming(ILogger logger, string legId, double mediaMs, double continuationMs);
}
