using Hotline.Cti.Calls;
using Hotline.Cti.Media;

namespace Hotline.LoadGen;

/// <summary>
/// Simulated phone system: a finite prompt "plays" for its length in real time (frames × 20 ms), hold music until
/// replaced; agents answer after <see cref="AnswerDelay"/>.
/// </summary>
public sealed class SimTelephony(TimeProvider time) : ITelephony
{
    public TimeSpan AnswerDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public event EventHandler<IncomingCallEventArgs>? IncomingCall;

    public SimLeg Call(string from, string to)
    {
        var leg = new SimLeg(from, to, CallLegDirection.Inbound, time);
        IncomingCall?.Invoke(this, new IncomingCallEventArgs(leg));
        return leg;
    }

    public IOutboundCall Dial(string target, DialOptions options) => new SimOutbound(new SimLeg(target, target, CallLegDirection.Outbound, time), AnswerDelay, time);

    public void Bridge(ICallLeg a, ICallLeg b)
    {
        ((SimLeg)a).StopAudio();
        ((SimLeg)b).StopAudio();
    }

    public IConference CreateConference() => throw new NotSupportedException();
}

public sealed class SimOutbound : IOutboundCall
{
    private readonly TaskCompletionSource<DialResult> _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer _timer;

    public SimOutbound(SimLeg leg, TimeSpan delay, TimeProvider time)
    {
        Leg = leg;
        _timer = time.CreateTimer(_ =>
        {
            if (_answered.TrySetResult(new DialResult(true, 200, "OK"))) leg.Connect();
        }, null, delay, Timeout.InfiniteTimeSpan);
    }

    public ICallLeg Leg { get; }
    public Task<DialResult> Answered => _answered.Task;
    public Task Ringing => Task.CompletedTask;

    public void Cancel()
    {
        _timer.Dispose();
        if (_answered.TrySetResult(new DialResult(false, 487, "cancelled"))) _ = Leg.HangupAsync(CancellationToken.None);
    }
}

public sealed class SimLeg(string remote, string dialed, CallLegDirection direction, TimeProvider time) : ICallLeg
{
    private readonly Lock _gate = new();
    private TaskCompletionSource? _playing;
    private ITimer? _timer;
    private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = Guid.NewGuid().ToString("N");
    public string RemoteUser { get; } = remote;
    public string RemoteDisplayName => "";
    public string DialedNumber { get; } = dialed;
    public CallLegDirection Direction { get; } = direction;
    public CallLegState State { get; private set; } = CallLegState.Offering;

    /// <summary>The source the leg hears now (hold music while queued), for the memory figure.</summary>
    public IAudioSource? Hearing { get; private set; }

    public Task Answered => _answered.Task;

    public event EventHandler<DtmfEventArgs>? Dtmf;
    public event EventHandler<CallLegEndedEventArgs>? Ended;

    internal void Connect() => State = CallLegState.Connected;

    public Task AnswerAsync(CancellationToken cancellationToken)
    {
        State = CallLegState.Connected;
        _answered.TrySetResult();
        return Task.CompletedTask;
    }

    public Task RejectAsync(int statusCode, CancellationToken cancellationToken) => HangupAsync(cancellationToken);

    public Task RingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PlayAsync(IAudioSource source, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var frames = CountFrames(source);
        lock (_gate)
        {
            Stop();
            _playing = done;
            Hearing = source;
            if (frames >= 0)
                _timer = time.CreateTimer(_ => done.TrySetResult(), null, TimeSpan.FromMilliseconds(Math.Max(1, frames * AudioFormat.FrameMilliseconds)), Timeout.InfiniteTimeSpan);
        }
        return done.Task;
    }

    public void StopAudio()
    {
        lock (_gate) Stop();
    }

    public Task HangupAsync(CancellationToken cancellationToken)
    {
        End(HangupCause.LocalHangup);
        return Task.CompletedTask;
    }

    public void RemoteHangup() => End(HangupCause.RemoteHangup);

    public void Press(char digit) => Dtmf?.Invoke(this, new DtmfEventArgs(digit, 100));

    private void End(HangupCause cause)
    {
        lock (_gate)
        {
            if (State == CallLegState.Ended) return;
            State = CallLegState.Ended;
            Stop();
        }
        Ended?.Invoke(this, new CallLegEndedEventArgs(cause, 0));
    }

    private void Stop()
    {
        _timer?.Dispose();
        _timer = null;
        _playing?.TrySetResult();
        _playing = null;
        Hearing = null;
    }

    private static int CountFrames(IAudioSource source) => source is PcmSource pcm ? (pcm.Looping ? -1 : pcm.FramesPerPass) : 0;
}
