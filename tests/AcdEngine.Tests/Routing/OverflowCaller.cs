using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Tests.Routing;

/// <summary>An answered caller for an overflow stage alone (voicemail, callback): its keys, its hang-up signal, its session.</summary>
internal sealed class OverflowCaller
{
    public OverflowCaller(AcdHarness acd, bool canRecord = false)
    {
        Leg = new FakeCallLeg("13800138000", "12345", CallLegDirection.Inbound, acd.Time) { CanRecord = canRecord };
        Leg.AnswerAsync(CancellationToken.None).GetAwaiter().GetResult();
        Keys = new CallerKeys(Leg, Gone.Task, acd.Time);
        Leg.Dtmf += (_, e) => Keys.Add(e.Digit);
        Session = acd.Context.NewSession(CallDirection.Inbound);
    }

    public FakeCallLeg Leg { get; }
    public CallerKeys Keys { get; }
    public CallSession Session { get; }

    /// <summary>Set by the test: the caller hung up.</summary>
    public TaskCompletionSource Gone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
