using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Recording;
using Hotline.AcdEngine.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Hotline.AcdEngine.Tests.Conference;

/// <summary>Recording (issue 8): one WAV per call, its location on RecordingAvailable and CallEnded; retention sweep.</summary>
[TestFixture]
public sealed class RecordingTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("hotline-rec-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task Answered_call_is_recorded_from_the_callers_leg_into_one_dated_wav_and_its_location_reaches_call_ended()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment(recordingsRoot: _root));
        h.Roster.SignIn("a1", ready: true);
        var finished = h.WaitForCallFinishedAsync();
        var caller = h.Phones.CallFromPhone("13800138000", "12345");
        await caller.Inner.PlayedAsync("greeting");
        Assert.That(caller.RecordingTo, Is.Null, "the IVR is not recorded");
        h.Time.Advance(FakePromptLibrary.GreetingLength);
        var agent = await h.Telephony.NextDialAsync();
        agent.Answer();
        await h.Telephony.NextBridgeAsync();
        var callId = h.Router.FindByAgent("a1")!.CallId;
        var expected = Path.Combine(_root, "2026", "11", "24", callId + ".wav");
        Assert.That(await caller.RecordingStarted, Is.EqualTo(expected));
        Assert.That(caller.RecordingTo, Is.EqualTo(expected));

        caller.Inner.RemoteHangup();
        await h.WaitForAgentAsync("a1", AgentState.WrapUp);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        await finished;
        var events = h.Sink.CallEvents();
        var available = events.Single(e => e.PayloadCase == Kind.RecordingAvailable).RecordingAvailable;
        Assert.Multiple(() =>
        {
            Assert.That(available.Location, Is.EqualTo("rec:" + callId), "an identifier, never a path");
            Assert.That(available.DurationMs, Is.EqualTo(1000), "measured from the WAV's data size");
            Assert.That(events.Last().Ended.Recording, Is.EqualTo("rec:" + callId));
            Assert.That(caller.RecordingTo, Is.Null, "stopped");
            Assert.That(new FileInfo(expected).Length, Is.EqualTo(44 + 16000));
        });
    }

    [Test]
    public async Task Recording_off_or_unsupported_leg_records_nothing_and_reports_no_location()
    {
        using var h = new AcdHarness(AcdSetup.WithDepartment(recordingsRoot: _root));
        var (caller, agent, _) = await h.ConnectedCallAsync(); // A FakeCallLeg: the seam's default, cannot record.
        var finished = h.WaitForCallFinishedAsync();
        caller.RemoteHangup();
        await h.WaitForAgentAsync("a1", AgentState.WrapUp);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        await finished;
        Assert.That(h.Sink.CallEvents().Any(e => e.PayloadCase == Kind.RecordingAvailable), Is.False);
        Assert.That(h.Sink.CallEvents().Last().Ended.Recording, Is.Empty);
        Assert.That(Directory.EnumerateFiles(_root, "*.wav", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public void Retention_deletes_recordings_older_than_the_period_and_their_empty_folders_only()
    {
        var now = new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(now);
        var options = new RecordingOptions { Enabled = true, RetentionDays = 30 };
        var old = Write("2026/10/01/c-old.wav", now.AddDays(-31));
        var edge = Write("2026/10/25/c-edge.wav", now.AddDays(-29));
        var fresh = Write("2026/11/24/c-new.wav", now.AddHours(-1));
        var notes = Write("2026/10/01/readme.txt", now.AddDays(-100));
        var recordings = new CallRecordings(_root, options, time, NullLogger<CallRecordings>.Instance);
        var retention = new RecordingRetention(recordings, MsOptions.Create(options), time, NullLogger<RecordingRetention>.Instance);

        Assert.That(retention.Sweep(), Is.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(old), Is.False);
            Assert.That(File.Exists(edge), Is.True);
            Assert.That(File.Exists(fresh), Is.True);
            Assert.That(File.Exists(notes), Is.True, "only recordings are touched");
        });
        File.Delete(notes);
        time.Advance(TimeSpan.FromDays(2));
        Assert.That(retention.Sweep(), Is.EqualTo(1));
        Assert.That(Directory.Exists(Path.Combine(_root, "2026", "10")), Is.False, "empty date folders go too");
        Assert.That(File.Exists(fresh), Is.True);
    }

    private string Write(string relative, DateTimeOffset at)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[44]);
        File.SetLastWriteTimeUtc(path, at.UtcDateTime);
        return path;
    }
}
