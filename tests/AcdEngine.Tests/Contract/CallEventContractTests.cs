using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Tests.Contract;

/// <summary>The hotline.v1 contract survives the wire: every payload kind round-trips, and the envelope's identity fields are kept.</summary>
[TestFixture]
public sealed class CallEventContractTests
{
    private static IEnumerable<TestCaseData> Payloads()
    {
        yield return Case(e => e.Offered = new CallOffered { CallerNumber = "13800138000", DialedNumber = "12345", Direction = CallDirection.Inbound });
        yield return Case(e => e.IvrChoice = new IvrChoice { Digits = "2", Queue = "complaints", Nature = "complaint" });
        yield return Case(e => e.Queued = new CallQueued { Queue = "general", Position = 3, ServiceLevelMs = 15000 });
        yield return Case(e => e.AgentRinging = new AgentRinging { AgentId = "a1", Queue = "general", Attempt = 2 });
        yield return Case(e => e.RingEnded = new RingEnded { AgentId = "a1", Attempt = 2, Result = RingResult.NoAnswer, RingMs = 20000 });
        yield return Case(e => e.Answered = new CallAnswered { AgentId = "a1", Queue = "general", WaitMs = 14980, WithinServiceLevel = true, ServiceLevelMs = 15000 });
        yield return Case(e => e.Abandoned = new CallAbandoned { Queue = "general", WaitMs = 31000, Where = AbandonPoint.Queue });
        yield return Case(e => e.Held = new CallHeld { AgentId = "a1" });
        yield return Case(e => e.Resumed = new CallResumed { AgentId = "a1", HeldMs = 4000 });
        yield return Case(e => e.ConsultStarted = new DepartmentConsultStarted { AgentId = "a1", DepartmentId = "water", Attempt = 1 });
        yield return Case(e => e.DepartmentJoined = new DepartmentJoined { DepartmentId = "water", Contact = "2001", Attempt = 1 });
        yield return Case(e => e.TransferFailed = new TransferFailed { DepartmentId = "water", Attempts = 2, Reason = "no-answer" });
        yield return Case(e => e.Conference = new ConferenceChanged { Parties = { "caller", "agent:a1", "department:water" } });
        yield return Case(e => e.TransferCompleted = new TransferCompleted { FromAgentId = "a1", To = "department:water", Kind = "warm" });
        yield return Case(e => e.RecordingAvailable = new RecordingAvailable { Location = "/data/rec/c1.wav", DurationMs = 60000 });
        yield return Case(e => e.CallbackRequested = new CallbackRequested { Queue = "general", Number = "13800138000" });
        yield return Case(e => e.VoicemailLeft = new VoicemailLeft { Queue = "general", Location = "/data/vm/c1.wav", DurationMs = 9000 });
        yield return Case(e => e.Ended = new CallEnded { HangupBy = HangupBy.Caller, QueueMs = 5000, TalkMs = 90000, FirstResponderAgentId = "a1", Direction = CallDirection.Inbound });
        yield return Case(e => e.SatisfactionRated = new SatisfactionRated { AgentId = "a1", Queue = "general", Score = SatisfactionScore.Satisfied });
    }

    private static TestCaseData Case(Action<CallEvent> fill)
    {
        var e = new CallEvent
        {
            EventId = Guid.NewGuid().ToString(),
            CallId = "call-1",
            Sequence = 7,
            NodeId = "acd-1",
            OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 24, 9, 30, 0, TimeSpan.Zero)),
        };
        fill(e);
        return new TestCaseData(e).SetArgDisplayNames(e.PayloadCase.ToString());
    }

    [TestCaseSource(nameof(Payloads))]
    public void Every_payload_round_trips_through_the_wire_format(CallEvent original)
    {
        var bytes = original.ToByteArray();
        var parsed = CallEvent.Parser.ParseFrom(bytes);
        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.EqualTo(original));
            Assert.That(parsed.PayloadCase, Is.Not.EqualTo(CallEvent.PayloadOneofCase.None));
            Assert.That(parsed.EventId, Is.EqualTo(original.EventId));
            Assert.That(parsed.Sequence, Is.EqualTo(7UL));
        });
    }

    [Test]
    public void Every_payload_kind_of_the_contract_is_covered_by_the_round_trip_cases()
    {
        var covered = Payloads().Select(c => ((CallEvent)c.Arguments[0]!).PayloadCase).ToHashSet();
        var all = System.Enum.GetValues<CallEvent.PayloadOneofCase>().Where(k => k != CallEvent.PayloadOneofCase.None);
        Assert.That(covered, Is.EquivalentTo(all));
    }

    [Test]
    public void Ingest_envelope_and_ack_round_trip_through_json_as_well()
    {
        var envelope = new IngestEnvelope { Agent = new AgentEvent { EventId = "e1", AgentId = "a1", Sequence = 3, Status = AgentStatus.NotReady, PreviousStatus = AgentStatus.Ready, Reason = "rona" } };
        var json = JsonFormatter.Default.Format(envelope);
        var parsed = JsonParser.Default.Parse<IngestEnvelope>(json);
        Assert.That(parsed, Is.EqualTo(envelope));
        Assert.That(json, Does.Contain("AGENT_STATUS_NOT_READY"));
    }
}
