using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Recording;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Outbound;

/// <summary>Issue 10: outbound calls are recorded like inbound ones (one WAV per call, location on the call, retention).</summary>
[TestFixture]
public sealed class OutboundRecordingTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("hotline-outrec-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task An_outbound_call_is_recorded_from_the_bridge_through_the_survey_into_one_dated_wav_whose_location_reaches_call_ended()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall(recordingsRoot: _root));
        acd.SignIn("a1");
        var finished = acd.FinishedAsync();
        var outcome = acd.Dialer.Dial("a1", "13900139000", null);
        Assert.That(outcome.Ok, Is.True, outcome.Error);
        var agent = await acd.Telephony.NextDialAsync();
        agent.Answer();
        var number = await acd.Telephony.NextDialAsync();
        var party = acd.Phones!.PhoneOf(number);
        Assert.That(party.RecordingTo, Is.Null, "nothing is recorded while the number rings");
        number.Answer();
        await acd.Telephony.NextBridgeAsync();
        var expected = Path.Combine(_root, "2026", "11", "24", outcome.CallId + ".wav");
        Assert.That(party.RecordingTo, Is.EqualTo(expected), "the called party's leg: what the party says and hears (the agent)");

        var (ok, error) = await acd.Dialer.FindByAgent("a1")!.HangupByAgentAsync("a1", CancellationToken.None);
        Assert.That(ok, Is.True, error);
        await number.FakeLeg.PlayedAsync("survey");
        Assert.That(party.RecordingTo, Is.EqualTo(expected), "the survey is part of the call's recording");
        number.FakeLeg.Press('2');
        await number.FakeLeg.PlayedAsync("survey-thanks");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await acd.WaitForAgentAsync("a1", AgentState.WrapUp);
        acd.Time.Advance(TimeSpan.FromSeconds(10));
        await finished;

        var events = acd.Sink.CallEvents(outcome.CallId);
        Assert.That(events.Select(e => e.PayloadCase), Is.EqualTo(new[]
        {
            Kind.Offered, Kind.AgentRinging, Kind.RingEnded, Kind.Answered, Kind.SatisfactionRated, Kind.RecordingAvailable, Kind.Ended,
        }));
        var available = events[5].RecordingAvailable;
        Assert.Multiple(() =>
        {
            Assert.That(available.Location, Is.EqualTo("rec:" + outcome.CallId), "an identifier, never a path");
            Assert.That(available.DurationMs, Is.EqualTo(1000), "measured from the WAV's data size");
            Assert.That(events[^1].Ended.Recording, Is.EqualTo("rec:" + outcome.CallId));
            Assert.That(events[^1].Ended.Direction, Is.EqualTo(CallDirection.Outbound));
            Assert.That(party.RecordingTo, Is.Null, "stopped");
            Assert.That(Directory.EnumerateFiles(_root, "*.wav", SearchOption.AllDirectories), Is.EquivalentTo(new[] { expected }), "one file per call");
        });

        // The same retention as inbound recordings: the sweep of Recording:RetentionDays removes it once old enough.
        File.SetLastWriteTimeUtc(expected, acd.Time.GetUtcNow().UtcDateTime.AddDays(-181));
        var retention = new RecordingRetention(new CallRecordings(_root, new RecordingOptions { Enabled = true }, acd.Time, NullLogger<CallRecordings>.Instance),
            Microsoft.Extensions.Options.Options.Create(new RecordingOptions { Enabled = true, RetentionDays = 180 }), acd.Time, NullLogger<RecordingRetention>.Instance);
        Assert.That(retention.Sweep(), Is.EqualTo(1));
        Assert.That(File.Exists(expected), Is.False);
    }

    [Test]
    public async Task An_outbound_call_never_answered_by_the_number_records_nothing()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall(recordingsRoot: _root));
        acd.SignIn("a1");
        var finished = acd.FinishedAsync();
        var outcome = acd.Dialer.Dial("a1", "13900139000", null);
        var agent = await acd.Telephony.NextDialAsync();
        agent.Answer();
        var number = await acd.Telephony.NextDialAsync();
        number.Reject(486);
        await acd.WaitForAgentAsync("a1", AgentState.WrapUp);
        acd.Time.Advance(TimeSpan.FromSeconds(10));
        await finished;
        var events = acd.Sink.CallEvents(outcome.CallId);
        Assert.Multiple(() =>
        {
            Assert.That(events.Any(e => e.PayloadCase == Kind.RecordingAvailable), Is.False);
            Assert.That(events[^1].Ended.Recording, Is.Empty);
            Assert.That(events[^1].Ended.Reason, Is.EqualTo("busy"));
            Assert.That(Directory.EnumerateFiles(_root, "*.wav", SearchOption.AllDirectories), Is.Empty);
        });
    }
}
