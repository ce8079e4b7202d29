using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Routing;

/// <summary>The voicemail stage alone (no flow): # / the limit / too short / a leg that cannot record, in virtual time.</summary>
[TestFixture]
public sealed class VoicemailStageTests
{
    [Test]
    public async Task Prompt_beep_then_the_message_until_hash_is_published_with_its_exact_length_and_thanked()
    {
        using var acd = new AcdHarness();
        var (caller, session, stage, _) = Start(acd, canRecord: true);
        var run = stage.RunAsync("general", "max-wait", CancellationToken.None);
        await RecordingAsync(acd, caller);
        acd.Time.Advance(TimeSpan.FromMilliseconds(6500));
        caller.Press('#');

        await caller.PlayedAsync("voicemail-thanks");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await run, Is.EqualTo(new VoicemailOutcome(HangupBy.System, "voicemail-max-wait")));
        var left = acd.Sink.CallEvents(session.CallId).Single(e => e.PayloadCase == Kind.VoicemailLeft).VoicemailLeft;
        Assert.That((left.Queue, left.DurationMs), Is.EqualTo(("general", 6500u)));
        Assert.That(File.Exists(left.Location), Is.True, left.Location);
    }

    [Test]
    public async Task The_recording_stops_at_the_limit()
    {
        using var acd = new AcdHarness();
        var (caller, session, stage, _) = Start(acd, canRecord: true);
        var run = stage.RunAsync("general", "closed", CancellationToken.None);
        await RecordingAsync(acd, caller);
        acd.Time.Advance(TimeSpan.FromSeconds(acd.Options.Voicemail.MaxSeconds));

        await caller.PlayedAsync("voicemail-thanks");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await run, Is.EqualTo(new VoicemailOutcome(HangupBy.System, "voicemail-closed")));
        var left = acd.Sink.CallEvents(session.CallId).Single(e => e.PayloadCase == Kind.VoicemailLeft).VoicemailLeft;
        Assert.That(left.DurationMs, Is.EqualTo((uint)acd.Options.Voicemail.MaxSeconds * 1000));
    }

    [Test]
    public async Task A_message_shorter_than_the_minimum_is_discarded_and_a_caller_who_left_abandoned()
    {
        using var acd = new AcdHarness();
        var (caller, session, stage, gone) = Start(acd, canRecord: true);
        var run = stage.RunAsync("general", "queue-full", CancellationToken.None);
        await RecordingAsync(acd, caller);
        acd.Time.Advance(TimeSpan.FromMilliseconds(400));
        gone.TrySetResult(); // Hung up right after the beep.

        Assert.That(await run, Is.EqualTo(new VoicemailOutcome(HangupBy.Caller, "abandoned-queue-full")));
        Assert.That(acd.Sink.CallEvents(session.CallId).Any(e => e.PayloadCase == Kind.VoicemailLeft), Is.False);
        Assert.That(Directory.EnumerateFiles(acd.VoicemailRoot, "*.wav", SearchOption.AllDirectories), Is.Empty, "the short message is not kept");
    }

    [Test]
    public async Task A_leg_that_cannot_record_takes_no_voicemail_so_the_caller_gets_the_apology()
    {
        using var acd = new AcdHarness();
        var (caller, _, stage, _) = Start(acd, canRecord: false);
        var run = stage.RunAsync("general", "max-wait", CancellationToken.None);
        await caller.PlayedAsync("voicemail");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await caller.PlayedAsync("beep");
        acd.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(await run, Is.Null);
    }

    [Test]
    public async Task The_caller_hanging_up_during_the_prompt_abandons()
    {
        using var acd = new AcdHarness();
        var (caller, _, stage, gone) = Start(acd, canRecord: true);
        var run = stage.RunAsync("general", "max-wait", CancellationToken.None);
        await caller.PlayedAsync("voicemail");
        gone.TrySetResult();

        Assert.That(await run, Is.EqualTo(new VoicemailOutcome(HangupBy.Caller, "abandoned-max-wait")));
    }

    /// <summary>Past the prompt and the beep (1 s each) until the message records and its limit is armed; keys meanwhile are ignored.</summary>
    private static async Task RecordingAsync(AcdHarness acd, FakeCallLeg caller)
    {
        await caller.PlayedAsync("voicemail");
        caller.Press('#'); // During the prompt: does not end the message.
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await caller.PlayedAsync("beep");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await caller.RecordingStarted;
        await acd.Time.TimerArmedAsync(TimeSpan.FromSeconds(acd.Options.Voicemail.MaxSeconds));
    }

    private static (FakeCallLeg, Hotline.AcdEngine.Calls.CallSession, VoicemailStage, TaskCompletionSource) Start(AcdHarness acd, bool canRecord)
    {
        var c = new OverflowCaller(acd, canRecord);
        return (c.Leg, c.Session, new VoicemailStage(acd.Context, c.Session, c.Leg, c.Keys, c.Gone.Task), c.Gone);
    }
}
