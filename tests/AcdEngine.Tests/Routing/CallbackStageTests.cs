using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Routing;

/// <summary>The callback stage alone (no flow): a keyed number, #, too few digits, a pause, a hang-up, in virtual time.</summary>
[TestFixture]
public sealed class CallbackStageTests
{
    [Test]
    public async Task A_keyed_number_ending_in_hash_is_requested_and_thanked_other_keys_are_ignored()
    {
        using var acd = new AcdHarness();
        var (caller, session, stage, _) = Start(acd);
        var run = stage.RunAsync("general", "max-wait", CancellationToken.None);
        await caller.PlayedAsync("callback-enter-number");
        foreach (var key in "139*0013A9001#") caller.Press(key); // * and A are keys, not digits: skipped.

        await caller.PlayedAsync("callback-thanks");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await run, Is.EqualTo(new CallbackOutcome(HangupBy.System, "callback-max-wait")));
        var requested = acd.Sink.CallEvents(session.CallId).Single(e => e.PayloadCase == Kind.CallbackRequested).CallbackRequested;
        Assert.That((requested.Queue, requested.Number), Is.EqualTo(("general", "13900139001")));
    }

    [TestCase("#", TestName = "Hash_alone_keeps_the_callers_own_number")]
    [TestCase("12#", TestName = "Fewer_than_three_digits_keep_the_callers_own_number")]
    public async Task The_callers_own_number_is_kept(string keyed)
    {
        using var acd = new AcdHarness();
        var (caller, session, stage, _) = Start(acd);
        var run = stage.RunAsync("general", "queue-full", CancellationToken.None);
        await caller.PlayedAsync("callback-enter-number");
        foreach (var key in keyed) caller.Press(key);

        await caller.PlayedAsync("callback-thanks");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await run, Is.EqualTo(new CallbackOutcome(HangupBy.System, "callback-queue-full")));
        var requested = acd.Sink.CallEvents(session.CallId).Single(e => e.PayloadCase == Kind.CallbackRequested).CallbackRequested;
        Assert.That(requested.Number, Is.EqualTo("13800138000"));
    }

    [Test]
    public async Task A_pause_after_the_digits_ends_the_number_and_no_more_than_twenty_digits_are_taken()
    {
        using var acd = new AcdHarness();
        var (caller, session, stage, _) = Start(acd);
        var run = stage.RunAsync("general", "closed", CancellationToken.None);
        await caller.PlayedAsync("callback-enter-number");
        foreach (var key in "1234567890123456789012345") caller.Press(key); // 25 digits, no #.

        await caller.PlayedAsync("callback-thanks");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await run, Is.EqualTo(new CallbackOutcome(HangupBy.System, "callback-closed")));
        var requested = acd.Sink.CallEvents(session.CallId).Single(e => e.PayloadCase == Kind.CallbackRequested).CallbackRequested;
        Assert.That(requested.Number, Is.EqualTo("12345678901234567890"), "cut at CallbackStage.MaxDigits");

        using var paused = new AcdHarness();
        var (caller2, session2, stage2, _) = Start(paused);
        var run2 = stage2.RunAsync("general", "closed", CancellationToken.None);
        await caller2.PlayedAsync("callback-enter-number");
        foreach (var key in "0201234") caller2.Press(key);
        await paused.Time.TimerArmedAsync(TimeSpan.FromSeconds(paused.Options.Ivr.TimeoutSeconds * 2));
        paused.Time.Advance(TimeSpan.FromSeconds(paused.Options.Ivr.TimeoutSeconds * 2)); // The pause: the number is complete.
        await caller2.PlayedAsync("callback-thanks");
        paused.Time.Advance(TimeSpan.FromSeconds(1));
        await run2;
        var number = paused.Sink.CallEvents(session2.CallId).Single(e => e.PayloadCase == Kind.CallbackRequested).CallbackRequested.Number;
        Assert.That(number, Is.EqualTo("0201234"));
    }

    [Test]
    public async Task The_caller_hanging_up_while_keying_abandons_and_nothing_is_requested()
    {
        using var acd = new AcdHarness();
        var (caller, session, stage, gone) = Start(acd);
        var run = stage.RunAsync("general", "max-wait", CancellationToken.None);
        await caller.PlayedAsync("callback-enter-number");
        caller.Press('1');
        gone.TrySetResult();

        Assert.That(await run, Is.EqualTo(new CallbackOutcome(HangupBy.Caller, "abandoned-max-wait")));
        Assert.That(acd.Sink.CallEvents(session.CallId).Any(e => e.PayloadCase == Kind.CallbackRequested), Is.False);
    }

    private static (FakeCallLeg, CallSession, CallbackStage, TaskCompletionSource) Start(AcdHarness acd)
    {
        var c = new OverflowCaller(acd);
        return (c.Leg, c.Session, new CallbackStage(acd.Context, c.Session, c.Leg, c.Keys, c.Gone.Task), c.Gone);
    }
}
