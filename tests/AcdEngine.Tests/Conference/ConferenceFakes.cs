using System.Collections.Concurrent;
using System.Threading.Channels;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Cti.Calls;
using Hotline.Cti.Media;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.AcdEngine.Tests.Conference;

/// <summary>How a member takes part in a <see cref="FakeConference"/>.</summary>
public enum FakeRole { Speaker, ListenOnly, Whisper }

/// <summary>An in-process mixer: records who is in it and how (a test asserts the membership and roles).</summary>
public sealed class FakeConference : IConference
{
    private readonly ConcurrentDictionary<ICallLeg, (FakeRole Role, ICallLeg? Target)> _members = new();

    public IReadOnlyCollection<ICallLeg> Members => [.. _members.Keys];
    public bool Disposed { get; private set; }

    public FakeRole RoleOf(ICallLeg leg) => _members[Unwrap(leg)].Role;
    public ICallLeg? WhisperTargetOf(ICallLeg leg) => _members[Unwrap(leg)].Target;
    public bool Contains(ICallLeg leg) => _members.ContainsKey(Unwrap(leg));

    public void Add(ICallLeg leg, bool listenOnly = false) => Join(leg, listenOnly ? FakeRole.ListenOnly : FakeRole.Speaker, null);

    public void AddWhisper(ICallLeg leg, ICallLeg target) => Join(leg, FakeRole.Whisper, Unwrap(target));

    public void Remove(ICallLeg leg)
    {
        if (_members.TryRemove(Unwrap(leg), out _)) ((FakeCallLeg)Unwrap(leg)).StopAudio();
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        foreach (var leg in _members.Keys) Remove(leg);
        return ValueTask.CompletedTask;
    }

    private void Join(ICallLeg leg, FakeRole role, ICallLeg? target)
    {
        var fake = (FakeCallLeg)Unwrap(leg);
        fake.HearBridge(); // Whatever it heard (music, a bridge) is replaced by the mix.
        _members[fake] = (role, target);
    }

    internal static ICallLeg Unwrap(ICallLeg leg) => leg is PhoneLeg p ? p.Inner : leg;
}

/// <summary>A fake leg whose phone can put the call on hold by re-INVITE (RFC 3264 sendonly): raises RemoteHold.</summary>
public sealed class PhoneLeg(FakeCallLeg inner) : ICallLeg
{
    public FakeCallLeg Inner { get; } = inner;
    public string Id => Inner.Id;
    public string RemoteUser => Inner.RemoteUser;
    public string RemoteDisplayName => Inner.RemoteDisplayName;
    public string DialedNumber => Inner.DialedNumber;
    public CallLegDirection Direction => Inner.Direction;
    public CallLegState State => Inner.State;
    public Task AnswerAsync(CancellationToken cancellationToken) => Inner.AnswerAsync(cancellationToken);
    public Task RejectAsync(int statusCode, CancellationToken cancellationToken) => Inner.RejectAsync(statusCode, cancellationToken);
    public Task RingAsync(CancellationToken cancellationToken) => Inner.RingAsync(cancellationToken);
    public Task PlayAsync(IAudioSource source, CancellationToken cancellationToken) => Inner.PlayAsync(source, cancellationToken);
    public Task? PlayBesideAsync(IAudioSource source, CancellationToken cancellationToken) => Inner.PlayBesideAsync(source, cancellationToken);
    public void StopAudio() => Inner.StopAudio();
    public Task HangupAsync(CancellationToken cancellationToken) => Inner.HangupAsync(cancellationToken);

    public event EventHandler<DtmfEventArgs>? Dtmf
    {
        add => Inner.Dtmf += value;
        remove => Inner.Dtmf -= value;
    }

    public event EventHandler<CallLegEndedEventArgs>? Ended
    {
        add => Inner.Ended += value;
        remove => Inner.Ended -= value;
    }

    public event EventHandler<RemoteHoldEventArgs>? RemoteHold;

    /// <summary>Where the engine asked to record, while recording.</summary>
    public string? RecordingTo { get; private set; }

    /// <summary>Records by writing a WAV header now and one second of samples at stop (a 1000 ms recording).</summary>
    public bool StartRecording(string path)
    {
        File.WriteAllBytes(path, new byte[44]);
        RecordingTo = path;
        _recordingStarted.TrySetResult(path);
        return true;
    }

    private readonly TaskCompletionSource<string> _recordingStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Where the first recording went, once the engine started it (the flow bridges first, then records).</summary>
    public Task<string> RecordingStarted => _recordingStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));

    public void StopRecording()
    {
        if (RecordingTo is null) return;
        using (var file = new FileStream(RecordingTo, FileMode.Append)) file.Write(new byte[AudioFormat.SampleRate * 2]);
        RecordingTo = null;
    }

    /// <summary>The phone sends a re-INVITE: sendonly (hold) or sendrecv (resume).</summary>
    public void PhoneHold(bool onHold) => RemoteHold?.Invoke(this, new RemoteHoldEventArgs(onHold));

    public event EventHandler<TransferRequestedEventArgs>? TransferRequested;

    /// <summary>The SIP dialog this leg stands for (what a Replaces must name), if the test gives it one.</summary>
    public TransferReplaces? Dialog { get; set; }

    public bool IsDialog(TransferReplaces replaces) => Dialog == replaces;

    /// <summary>The phone sends REFER with <c>Refer-To: &lt;sip:user@hotline&gt;</c> (and a Replaces for an attended transfer).</summary>
    public FakeRefer Refer(string user, TransferReplaces? replaces = null)
    {
        var refer = new FakeRefer();
        var args = new TransferRequestedEventArgs("sip:" + user + "@hotline.test", user, replaces, () =>
        {
            refer.Accepted = true;
            return refer;
        });
        TransferRequested?.Invoke(this, args);
        refer.RefuseStatus = args.IsAccepted ? 0 : args.RefuseStatus;
        return refer;
    }
}

/// <summary>What the phone learnt about its REFER: refused with a status, or accepted and the NOTIFYed statuses.</summary>
public sealed class FakeRefer : ITransferProgress
{
    private readonly List<int> _reports = [];
    private readonly TaskCompletionSource<int> _final = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Accepted { get; set; }
    public int RefuseStatus { get; set; }

    public IReadOnlyList<int> Reports
    {
        get { lock (_reports) return [.. _reports]; }
    }

    /// <summary>The final status NOTIFYed (the transfer's outcome).</summary>
    public Task<int> Final => _final.Task.WaitAsync(TimeSpan.FromSeconds(10));

    public void Report(int sipStatus, string? reason = null)
    {
        lock (_reports) _reports.Add(sipStatus);
        if (sipStatus >= 200) _final.TrySetResult(sipStatus);
    }
}

/// <summary>
/// <see cref="FakeTelephony"/> plus conferences: dials go to the inner fake (tests answer them there); each dialled
/// leg is a <see cref="PhoneLeg"/> so the phone can hold; conferences are <see cref="FakeConference"/>s.
/// </summary>
public sealed class ConferenceTelephony : ITelephony
{
    private readonly Channel<FakeConference> _conferences = Channel.CreateUnbounded<FakeConference>();
    private readonly ConcurrentDictionary<FakeCallLeg, PhoneLeg> _phones = new();
    private readonly FakeTelephony inner;
    private readonly FakeTimeProvider _time;

    public ConferenceTelephony(FakeTelephony inner, FakeTimeProvider time)
    {
        this.inner = inner;
        _time = time;
        inner.IncomingCall += (_, e) => IncomingCall?.Invoke(this, e);
    }

    public event EventHandler<IncomingCallEventArgs>? IncomingCall;

    /// <summary>An inbound call from a phone that can record and hold (a <see cref="PhoneLeg"/>).</summary>
    public PhoneLeg CallFromPhone(string from, string to)
    {
        var leg = new PhoneLeg(new FakeCallLeg(from, to, CallLegDirection.Inbound, _time));
        IncomingCall?.Invoke(this, new IncomingCallEventArgs(leg));
        return leg;
    }

    public IOutboundCall Dial(string target, DialOptions options)
    {
        var call = (FakeOutboundCall)inner.Dial(target, options);
        var phone = PhoneOf(call);
        return new PhoneCall(call, phone);
    }

    public void Bridge(ICallLeg a, ICallLeg b) => inner.Bridge(FakeConference.Unwrap(a), FakeConference.Unwrap(b));

    public IConference CreateConference()
    {
        var conference = new FakeConference();
        _conferences.Writer.TryWrite(conference);
        return conference;
    }

    /// <summary>
    /// The phone wrapping a dialed call's leg. The inner telephony hands the call to the test (NextDialAsync) inside its
    /// Dial, before <see cref="Dial"/> wraps it: both sides get-or-add, and the dictionary gives both the same phone
    /// (run 27: the test asked first and found none).
    /// </summary>
    public PhoneLeg PhoneOf(FakeOutboundCall call) => _phones.GetOrAdd(call.FakeLeg, static leg => new PhoneLeg(leg));

    public async Task<FakeConference> NextConferenceAsync() =>
        await _conferences.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public bool HasConference => _conferences.Reader.TryPeek(out _);

    private sealed class PhoneCall(FakeOutboundCall call, PhoneLeg leg) : IOutboundCall
    {
        public ICallLeg Leg => leg;
        public Task<DialResult> Answered => call.Answered;
        public Task Ringing => call.Ringing;
        public void Cancel() => call.Cancel();
    }
}
