using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Tests.Routing;

/// <summary>The queue-wait stage alone (no flow): music, position announcements, offer, hang-up, maximum wait.</summary>
[TestFixture]
public sealed class QueueWaitStageTests
{
    [Test]
    public async Task The_caller_hears_music_then_their_position_every_period_until_an_agent_is_offered()
    {
        using var acd = new AcdHarness(new AcdSetup { Acd = Options(announceEverySeconds: 30) });
        var first = acd.Queues.TryEnqueue("c-first", "general", out _)!;
        var (caller, queued, life) = Enqueue(acd, "c-second");
        await using var wait = Start(acd, caller, queued, life, out _);

        var next = wait.NextAsync();
        Assert.That((await caller.NextPlayAsync()).Name, Is.EqualTo("moh"));
        acd.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.That((await caller.NextPlayAsync()).Name, Is.EqualTo("position-2"));
        acd.Time.Advance(TimeSpan.FromSeconds(1)); // The announcement ends (50 frames): back to the music.
        Assert.That((await caller.NextPlayAsync()).Name, Is.EqualTo("moh"));
        Assert.That(next.IsCompleted, Is.False);

        acd.Queues.Leave(first);
        acd.Ready("a1");
        Assert.That(await next, Is.EqualTo(QueueWaitOutcome.Offered));
        Assert.That(wait.Offer.Select(a => a.Id), Is.EqualTo(new[] { "a1" }));
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Ringing));
    }

    [Test]
    public async Task The_maximum_wait_ends_the_wait_and_an_offer_made_in_that_instant_is_handed_back()
    {
        using var acd = new AcdHarness(new AcdSetup { Acd = Options(maxWaitSeconds: 60) });
        var (caller, queued, life) = Enqueue(acd, "c-1");
        await using var wait = Start(acd, caller, queued, life, out _);

        var next = wait.NextAsync();
        acd.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.That(next.IsCompleted, Is.False);
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await next, Is.EqualTo(QueueWaitOutcome.MaxWait));
        Assert.That(wait.MaxWaitPassed, Is.True);

        acd.Ready("a1"); // The dispatcher reserves a1 for the caller just as they leave.
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Ringing));
        acd.Queues.Leave(queued);
        wait.ReturnUnusedOffer("c-1");
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready));
    }

    [Test]
    public async Task The_caller_hanging_up_ends_the_wait()
    {
        using var acd = new AcdHarness();
        var (caller, queued, life) = Enqueue(acd, "c-1");
        await using var wait = Start(acd, caller, queued, life, out var gone);

        var next = wait.NextAsync();
        gone.TrySetResult();
        Assert.That(await next, Is.EqualTo(QueueWaitOutcome.CallerLeft));
        Assert.That(wait.Offer, Is.Empty);
    }

    private static AcdOptions Options(int announceEverySeconds = 0, int maxWaitSeconds = 0)
    {
        var options = AcdHarness.DefaultOptions();
        options.AnnounceEverySeconds = announceEverySeconds;
        options.Queues["general"] = new QueueOptions { MaxWaitSeconds = maxWaitSeconds };
        return options;
    }

    private static (FakeCallLeg, QueuedCall, CallLifecycle) Enqueue(AcdHarness acd, string callId)
    {
        var caller = new FakeCallLeg("13800138000", "12345", CallLegDirection.Inbound, acd.Time);
        caller.AnswerAsync(CancellationToken.None).GetAwaiter().GetResult();
        var life = new CallLifecycle(callId);
        life.Move(CallStage.Greeting);
        life.Move(CallStage.Queued);
        return (caller, acd.Queues.TryEnqueue(callId, "general", out _)!, life);
    }

    private static QueueWaitStage Start(AcdHarness acd, FakeCallLeg caller, QueuedCall queued, CallLifecycle life, out TaskCompletionSource gone)
    {
        gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return new QueueWaitStage(acd.Context, caller, life, queued, acd.Queues.Options("general"), gone.Task, CancellationToken.None);
    }
}
