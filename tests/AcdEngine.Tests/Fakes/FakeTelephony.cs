using System.Threading.Channels;
using Hotline.Cti.Calls;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.AcdEngine.Tests.Fakes;

/// <summary>An outbound INVITE to an agent: the test answers or rejects it; the ring timeout runs in virtual time.</summary>
public sealed class FakeOutboundCall : IOutboundCall
{
    private readonly TaskCompletionSource<DialResult> _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer _ringTimeout;

    internal FakeOutboundCall(string target, DialOptions options, FakeTimeProvider time)
    {
        Target = target;
        Options = options;
        FakeLeg = new FakeCallLeg(target, target, CallLegDirection.Outbound, time);
        // ITelephony.Dial: give up (CANCEL) after the ring timeout → 408.
        _ringTimeout = time.CreateTimer(_ => Finish(new DialResult(false, 408, "no answer"), endLeg: true), null, options.RingTimeout, Timeout.InfiniteTimeSpan);
    }

    public string Target { get; }
    public DialOptions Options { get; }
    public FakeCallLeg FakeLeg { get; }
    public ICallLeg Leg => FakeLeg;
    public Task<DialResult> Answered => _answered.Task;
    public Task Ringing => Task.CompletedTask;
    public bool Cancelled { get; private set; }

    /// <summary>Cancelled because another phone took the call (the CANCEL's RFC 3326 reason "Call completed elsewhere").</summary>
    public bool CompletedElsewhere { get; private set; }

    public void Answer()
    {
        FakeLeg.AnswerAsync(CancellationToken.None);
        Finish(new DialResult(true, 200, "OK"), endLeg: false);
    }

    public void Reject(int status) => Finish(new DialResult(false, status, "rejected"), endLeg: true);

    public void Cancel()
    {
        if (_answered.Task.IsCompleted)
        {
            // Like SipOutboundCall: a dial that was answered already is hung up.
            if (FakeLeg.State != CallLegState.Ended) FakeLeg.HangupAsync(CancellationToken.None);
            return;
        }
        Cancelled = true;
        Finish(new DialResult(false, 487, "cancelled"), endLeg: true);
    }

    public void CancelCompletedElsewhere()
    {
        CompletedElsewhere = !_answered.Task.IsCompleted;
        Cancel();
    }

    private void Finish(DialResult result, bool endLeg)
    {
        _ringTimeout.Dispose();
        if (!_answered.TrySetResult(result)) return;
        if (endLeg) FakeLeg.HangupAsync(CancellationToken.None);
    }
}

/// <summary>The phone system in a box: tests place inbound calls and answer the engine's dials.</summary>
public sealed class FakeTelephony(FakeTimeProvider time) : ITelephony
{
    private readonly Channel<FakeOutboundCall> _dials = Channel.CreateUnbounded<FakeOutboundCall>();
    private readonly Channel<(ICallLeg A, ICallLeg B)> _bridges = Channel.CreateUnbounded<(ICallLeg, ICallLeg)>();

    public event EventHandler<IncomingCallEventArgs>? IncomingCall;

    /// <summary>Callers' legs can record (StartRecording), as the SIP legs do; off by default (the seam's default).</summary>
    public bool CallersCanRecord { get; set; }

    public FakeCallLeg Call(string from, string to, string displayName = "")
    {
        var leg = new FakeCallLeg(from, to, CallLegDirection.Inbound, time) { RemoteDisplayName = displayName, CanRecord = CallersCanRecord };
        IncomingCall?.Invoke(this, new IncomingCallEventArgs(leg));
        return leg;
    }

    public IOutboundCall Dial(string target, DialOptions options)
    {
        var call = new FakeOutboundCall(target, options, time);
        _dials.Writer.TryWrite(call);
        return call;
    }

    public void Bridge(ICallLeg a, ICallLeg b)
    {
        ((FakeCallLeg)a).HearBridge();
        ((FakeCallLeg)b).HearBridge();
        _bridges.Writer.TryWrite((a, b));
    }

    public IConference CreateConference() => throw new NotSupportedException("Not used by these tests.");

    public async Task<FakeOutboundCall> NextDialAsync() => await _dials.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public async Task<(ICallLeg A, ICallLeg B)> NextBridgeAsync() => await _bridges.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public bool HasPendingDial => _dials.Reader.TryPeek(out _);
}
