using System.Threading.Channels;
using Hotline.Cti.Calls;
using Hotline.Cti.Media;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.AcdEngine.Tests.Fakes;

/// <summary>A play request the fake leg received.</summary>
public sealed record FakePlay(IAudioSource Source, string Name);

/// <summary>
/// An in-process call leg. A finite source "plays" for its length in virtual time (frames × 20 ms on the
/// <see cref="FakeTimeProvider"/>); an endless one (hold music) until replaced or stopped.
/// </summary>
public sealed class FakeCallLeg(string remoteUser, string dialedNumber, CallLegDirection direction, FakeTimeProvider time) : ICallLeg
{
    private readonly Channel<FakePlay> _plays = Channel.CreateUnbounded<FakePlay>();
    private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<HangupCause> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private TaskCompletionSource? _playing;
    private ITimer? _playTimer;
    private readonly TaskCompletionSource _recordingStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (string Path, DateTimeOffset Start)? _recording;

    public string Id { get; } = Guid.NewGuid().ToString("N");
    public string RemoteUser { get; } = remoteUser;
    public string RemoteDisplayName { get; init; } = "";
    public string DialedNumber { get; } = dialedNumber;
    public CallLegDirection Direction { get; } = direction;
    public CallLegState State { get; private set; } = CallLegState.Offering;
    public int RejectedWith { get; private set; }

    /// <summary>What the leg hears now ("bridge", a prompt name, "silence").</summary>
    public string Hearing { get; private set; } = "silence";

    public Task Answered => _answered.Task;
    public Task<HangupCause> EndedTask => _ended.Task;

    public event EventHandler<DtmfEventArgs>? Dtmf;
    public event EventHandler<CallLegEndedEventArgs>? Ended;
    public event EventHandler<RemoteHoldEventArgs>? RemoteHold;

    /// <summary>The phone sends a re-INVITE (RFC 3264 §8.4): sendonly puts the call on hold, sendrecv resumes it.</summary>
    public void PhoneHold(bool onHold) => RemoteHold?.Invoke(this, new RemoteHoldEventArgs(onHold));

    public Task AnswerAsync(CancellationToken cancellationToken)
    {
        if (State != CallLegState.Offering) throw new InvalidOperationException("Not offering.");
        State = CallLegState.Connected;
        _answered.TrySetResult();
        return Task.CompletedTask;
    }

    public Task RejectAsync(int statusCode, CancellationToken cancellationToken)
    {
        RejectedWith = statusCode;
        End(HangupCause.LocalHangup);
        return Task.CompletedTask;
    }

    public Task RingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PlayAsync(IAudioSource source, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var name = source is FakeSource f ? f.Name : "audio";
        lock (_gate)
        {
            StopCurrent();
            _playing = done;
            Hearing = name;
            var frames = source is FakeSource fs ? fs.Frames : CountFrames(source);
            if (frames >= 0)
                _playTimer = time.CreateTimer(_ => Finish(done), null, TimeSpan.FromMilliseconds(frames * AudioFormat.FrameMilliseconds), Timeout.InfiniteTimeSpan);
        }
        _plays.Writer.TryWrite(new FakePlay(source, name));
        return done.Task;
    }

    public void StopAudio()
    {
        lock (_gate)
        {
            StopCurrent();
            Hearing = "silence";
        }
    }

    internal void HearBridge()
    {
        lock (_gate)
        {
            StopCurrent();
            Hearing = "bridge";
        }
    }

    public Task HangupAsync(CancellationToken cancellationToken)
    {
        End(HangupCause.LocalHangup);
        return Task.CompletedTask;
    }

    /// <summary>The remote party hangs up (BYE, or CANCEL before answer).</summary>
    public void RemoteHangup() => End(HangupCause.RemoteHangup);

    /// <summary>True: this leg can record (voicemail tests); false, the seam's default, it cannot.</summary>
    public bool CanRecord { get; init; }

    /// <summary>Completes when recording starts.</summary>
    public Task RecordingStarted => _recordingStarted.Task;

    /// <summary>
    /// Records "what the leg hears and says" as silence for the virtual time it lasts: on stop, a WAV of exactly
    /// that many 8 kHz samples is written at the path (so durations are checkable to the sample).
    /// </summary>
    public bool StartRecording(string path)
    {
        if (!CanRecord) return false;
        lock (_gate)
        {
            _recording = (path, time.GetUtcNow());
        }
        _recordingStarted.TrySetResult();
        return true;
    }

    public void StopRecording()
    {
        (string Path, DateTimeOffset Start)? recording;
        lock (_gate)
        {
            recording = _recording;
            _recording = null;
        }
        if (recording is not { } r) return;
        var samples = (int)((time.GetUtcNow() - r.Start).TotalMilliseconds * AudioFormat.SampleRate / 1000);
        using var file = File.Create(r.Path);
        using var w = new BinaryWriter(file);
        w.Write("RIFF"u8); w.Write(36 + samples * 2); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(AudioFormat.SampleRate); w.Write(AudioFormat.SampleRate * 2); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(samples * 2); w.Write(new byte[samples * 2]);
    }

    public void Press(char digit) => Dtmf?.Invoke(this, new DtmfEventArgs(digit, 100));

    /// <summary>Digits sent to the remote party (RFC 4733 relay), in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<char> SentDigits { get; } = new();

    public bool SendDtmf(char digit, int durationMs)
    {
        SentDigits.Enqueue(digit);
        return true;
    }

    /// <summary>True: prompts play beside the leg's bridge or mix (as a SIP leg's media session does); false, the seam's default.</summary>
    public bool PlaysBeside { get; set; }

    private readonly Channel<FakePlay> _besidePlays = Channel.CreateUnbounded<FakePlay>();

    /// <summary>A prompt beside what the leg hears: <see cref="Hearing"/> does not change; ends after its length in virtual time.</summary>
    public Task? PlayBesideAsync(IAudioSource source, CancellationToken cancellationToken)
    {
        if (!PlaysBeside) return null;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var frames = CountFrames(source);
        ITimer? timer = null;
        if (frames >= 0) timer = time.CreateTimer(_ => done.TrySetResult(), null, TimeSpan.FromMilliseconds(frames * AudioFormat.FrameMilliseconds), Timeout.InfiniteTimeSpan);
        done.Task.ContinueWith(_ => timer?.Dispose(), TaskScheduler.Default);
        _besidePlays.Writer.TryWrite(new FakePlay(source, source is FakeSource f ? f.Name : "audio"));
        return done.Task;
    }

    /// <summary>The next prompt played beside what the leg hears.</summary>
    public async Task<FakePlay> NextBesidePlayAsync() => await _besidePlays.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>The next thing played to this leg (already played ones first).</summary>
    public async Task<FakePlay> NextPlayAsync() => await _plays.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>The names of the plays not read yet, without waiting for more.</summary>
    public IReadOnlyList<string> PlaysSoFar()
    {
        var names = new List<string>();
        while (_plays.Reader.TryRead(out var play)) names.Add(play.Name);
        return names;
    }

    /// <summary>Skips plays until one named <paramref name="name"/>.</summary>
    public async Task<FakePlay> PlayedAsync(string name)
    {
        while (true)
        {
            var play = await NextPlayAsync();
            if (play.Name == name) return play;
        }
    }

    private void End(HangupCause cause)
    {
        lock (_gate)
        {
            if (State == CallLegState.Ended) return;
            State = CallLegState.Ended;
            StopCurrent();
        }
        _ended.TrySetResult(cause);
        Ended?.Invoke(this, new CallLegEndedEventArgs(cause, 0));
    }

    private void StopCurrent()
    {
        _playTimer?.Dispose();
        _playTimer = null;
        _playing?.TrySetResult();
        _playing = null;
    }

    private void Finish(TaskCompletionSource done)
    {
        lock (_gate)
        {
            if (_playing != done) return;
            _playing = null;
            Hearing = "silence";
        }
        done.TrySetResult();
    }

    private static int CountFrames(IAudioSource source)
    {
        Span<short> frame = stackalloc short[AudioFormat.SamplesPerFrame];
        for (var i = 0; i < 30_000; i++)
            if (!source.ReadFrame(frame)) return i;
        return -1; // Endless (looping) as far as a test cares.
    }
}
