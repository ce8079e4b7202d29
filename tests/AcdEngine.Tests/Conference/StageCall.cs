using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Conference;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.AcdEngine.Tests.Conference;

/// <summary>
/// One call for a conference stage alone (no flow): a caller talking with agent a1 on phones that join mixers
/// (<see cref="PhoneLeg"/>), the call's <see cref="CallParties"/> and its <see cref="TalkStage"/>.
/// </summary>
internal sealed class StageCall
{
    public StageCall(AcdHarness acd)
    {
        Acd = acd;
        Caller = Answered(acd, "13800138000");
        Agent = Answered(acd, "1001");
        Caller.Ended += (_, _) => CallerGone.TrySetResult();
        Session = acd.Context.NewSession(CallDirection.Inbound);
        foreach (var stage in new[] { CallStage.Greeting, CallStage.Queued, CallStage.Ringing, CallStage.Talking }) Session.Lifecycle.Move(stage);
        Parties = new CallParties(Session, Caller, CallerGone.Task, acd.Phones, acd.Time);
        Talk = new TalkStage(Session, Caller, CallerGone.Task, "a1", Agent, acd.Phones, acd.Context.Prompts, acd.Time,
            NullLogger.Instance, () => Parties.Three.Conference is not null);
        Parties.Talk = Talk;
    }

    public AcdHarness Acd { get; }
    public PhoneLeg Caller { get; }
    public PhoneLeg Agent { get; }
    public TaskCompletionSource CallerGone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public CallSession Session { get; }
    public CallParties Parties { get; }
    public TalkStage Talk { get; }

    /// <summary>This call's ConferenceChanged events, in order.</summary>
    public List<string[]> PartiesEvents() =>
        [.. Acd.Sink.CallEvents(Session.CallId).Where(e => e.PayloadCase == CallEvent.PayloadOneofCase.Conference).Select(e => e.Conference.Parties.ToArray())];

    private static PhoneLeg Answered(AcdHarness acd, string user)
    {
        var leg = new PhoneLeg(new FakeCallLeg(user, "12345", CallLegDirection.Inbound, acd.Time));
        leg.AnswerAsync(CancellationToken.None).GetAwaiter().GetResult();
        return leg;
    }
}
