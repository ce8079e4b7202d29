using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Hours;
using Hotline.AcdEngine.Routing;

namespace Hotline.AcdEngine.Tests.Routing;

/// <summary>Voicemail overflow (issue 6): prompt, beep, record until #, hang-up or the limit; VoicemailLeft; in virtual time.</summary>
[TestFixture]
public sealed class VoicemailTests
{
    private static AcdOptions VoicemailAfter(int maxWaitSeconds)
    {
        var o = AcdHarness.DefaultOptions();
        o.Queues["general"].MaxWaitSeconds = maxWaitSeconds;
        o.Queues["general"].Overflow = OverflowAction.Voicemail;
        return o;
    }

    [Test]
    public async Task Max_wait_overflows_to_voicemail_recorded_until_hash_and_published_with_its_exact_length()
    {
        using var acd = new AcdHarness(VoicemailAfter(30));
        acd.Telephony.CallersCanRecord = true;
        var caller = acd.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        await caller.PlayedAsync("moh");
        acd.Time.Advance(TimeSpan.FromSeconds(30));
        await caller.PlayedAsync("voicemail");
        caller.Press('#'); // During the prompt: does not end the message.
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await caller.PlayedAsync("beep");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await caller.RecordingStarted;
        await acd.Time.TimerArmedAsync(TimeSpan.FromSeconds(acd.Options.Voicemail.MaxSeconds));
        acd.Time.Advance(TimeSpan.FromSeconds(20));
        caller.Press('5'); // Keys other than # are part of the message.
        acd.Time.Advance(TimeSpan.FromMilliseconds(1500));
        caller.Press('#');

        var left = (await acd.Sink.WaitForCallAsync(Kind.VoicemailLeft)).VoicemailLeft;
        Assert.Multiple(() =>
        {
            Assert.That(left.Queue, Is.EqualTo("general"));
            Assert.That(left.DurationMs, Is.EqualTo(21500u), "recorded from the beep's end to the #");
            Assert.That(File.Exists(left.Location), Is.True, left.Location);
            Assert.That(left.Location, Does.StartWith(acd.VoicemailRoot));
        });
        await caller.PlayedAsync("voicemail-thanks");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        var ended = (await acd.Sink.WaitForCallAsync(Kind.Ended)).Ended;
        Assert.That((ended.HangupBy, ended.Reason), Is.EqualTo((HangupBy.System, "voicemail-max-wait")));
        Assert.That(caller.State, Is.EqualTo(CallLegState.Ended));
    }

    [Test]
    public async Task A_caller_hanging_up_ends_the_message_which_is_still_published()
    {
        var o = VoicemailAfter(0);
        o.Queues["general"].MaxLength = 1;
        using var acd = new AcdHarness(o);
        acd.Telephony.CallersCanRecord = true;
        var first = acd.Telephony.Call("13800000001", "12345");
        await first.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        await first.PlayedAsync("moh");
        var second = acd.Telephony.Call("13800000002", "12345");
        await second.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        await second.PlayedAsync("voicemail");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await second.PlayedAsync("beep");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await second.RecordingStarted;
        acd.Time.Advance(TimeSpan.FromSeconds(7));
        second.RemoteHangup();

        var left = (await acd.Sink.WaitForCallAsync(Kind.VoicemailLeft)).VoicemailLeft;
        Assert.That(left.DurationMs, Is.EqualTo(7000u));
        var ended = (await acd.Sink.WaitForCallAsync(Kind.Ended)).Ended;
        Assert.That((ended.HangupBy, ended.Reason), Is.EqualTo((HangupBy.Caller, "voicemail-queue-full")));
        Assert.That(acd.Queues.Snapshot().Single(q => q.Queue == "general").Waiting, Is.EqualTo(1), "the first caller still waits");
    }

    [Test]
    public async Task Closed_hours_voicemail_stops_at_the_limit()
    {
        var o = AcdHarness.DefaultOptions();
        o.BusinessHours = new BusinessHoursOptions { Enabled = true, Open = "10:00", Close = "18:00", ClosedAction = OverflowAction.Voicemail };
        o.Voicemail.MaxSeconds = 60;
        using var acd = new AcdHarness(o); // Virtual clock: 09:00 UTC.
        acd.Telephony.CallersCanRecord = true;
        var caller = acd.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("voicemail");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await caller.PlayedAsync("beep");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await caller.RecordingStarted;
        await acd.Time.TimerArmedAsync(TimeSpan.FromSeconds(60));
        acd.Time.Advance(TimeSpan.FromSeconds(60));

        var left = (await acd.Sink.WaitForCallAsync(Kind.VoicemailLeft)).VoicemailLeft;
        Assert.That(left.DurationMs, Is.EqualTo(60000u), "Acd:Voicemail:MaxSeconds");
        await caller.PlayedAsync("voicemail-thanks");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        var ended = (await acd.Sink.WaitForCallAsync(Kind.Ended)).Ended;
        Assert.That(ended.Reason, Is.EqualTo("voicemail-closed"));
    }

    [Test]
    public async Task Hanging_up_at_the_beep_leaves_no_message()
    {
        using var acd = new AcdHarness(VoicemailAfter(10));
        acd.Telephony.CallersCanRecord = true;
        var caller = acd.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        await caller.PlayedAsync("moh");
        acd.Time.Advance(TimeSpan.FromSeconds(10));
        await caller.PlayedAsync("voicemail");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await caller.PlayedAsync("beep");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await caller.RecordingStarted;
        acd.Time.Advance(TimeSpan.FromMilliseconds(400));
        caller.RemoteHangup();

        var ended = (await acd.Sink.WaitForCallAsync(Kind.Ended)).Ended;
        Assert.Multiple(() =>
        {
            Assert.That(ended.Reason, Is.EqualTo("abandoned-max-wait"));
            Assert.That(acd.Sink.CallEvents().Any(e => e.PayloadCase == Kind.VoicemailLeft), Is.False, "under Acd:Voicemail:MinSeconds");
            Assert.That(Directory.GetFiles(acd.VoicemailRoot, "*.wav", SearchOption.AllDirectories), Is.Empty);
        });
    }

    [Test]
    public async Task A_leg_that_cannot_record_gets_the_apology_instead()
    {
        using var acd = new AcdHarness(VoicemailAfter(10));
        var caller = acd.Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        await caller.PlayedAsync("moh");
        acd.Time.Advance(TimeSpan.FromSeconds(10));
        await caller.PlayedAsync("voicemail");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await caller.PlayedAsync("beep");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await caller.PlayedAsync("all-busy");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        var ended = (await acd.Sink.WaitForCallAsync(Kind.Ended)).Ended;
        Assert.That(ended.Reason, Is.EqualTo("max-wait"));
        Assert.That(acd.Sink.CallEvents().Any(e => e.PayloadCase == Kind.VoicemailLeft), Is.False);
    }
}
