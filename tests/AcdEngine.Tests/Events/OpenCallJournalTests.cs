using Google.Protobuf.WellKnownTypes;
using Hotline.AcdEngine.Events;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Tests.Events;

/// <summary>Calls left open by a killed engine are closed at the next start, once, as COMMON.md's contract says.</summary>
[TestFixture]
public sealed class OpenCallJournalTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("acd-journal-").FullName;

    [TearDown]
    public void TearDown()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    private string DbPath => Path.Combine(_dir, "outbox.db");

    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static IngestEnvelope E(string callId, ulong seq, int atSeconds, Action<CallEvent> payload)
    {
        var e = new CallEvent { EventId = Guid.NewGuid().ToString(), CallId = callId, Sequence = seq, NodeId = "acd-1", OccurredAt = Timestamp.FromDateTimeOffset(T0.AddSeconds(atSeconds)) };
        payload(e);
        return new IngestEnvelope { Call = e };
    }

    private static IngestEnvelope Offered(string id, CallDirection d = CallDirection.Inbound) => E(id, 1, 0, e => e.Offered = new CallOffered { Direction = d });

    [Test]
    public void Open_calls_are_closed_by_phase_with_deterministic_ids_and_only_once()
    {
        using (var outbox = new SqliteOutbox(DbPath))
        {
            outbox.Append(Offered("in-ivr"));
            outbox.Append(Offered("queued"));
            outbox.Append(E("queued", 2, 1, e => e.Queued = new CallQueued { Queue = "general" }));
            outbox.Append(E("queued", 3, 5, e => e.AgentRinging = new AgentRinging { AgentId = "a1" }));
            outbox.Append(E("queued", 4, 9, e => e.RingEnded = new RingEnded { AgentId = "a1", Result = RingResult.NoAnswer }));
            outbox.Append(Offered("talking"));
            outbox.Append(E("talking", 2, 1, e => e.Queued = new CallQueued { Queue = "general" }));
            outbox.Append(E("talking", 3, 2, e => e.Answered = new CallAnswered { AgentId = "a2" }));
            outbox.Append(Offered("outbound", CallDirection.Outbound));
            outbox.Append(Offered("ended"));
            outbox.Append(E("ended", 2, 3, e => e.Ended = new CallEnded { HangupBy = HangupBy.Caller }));
            Assert.That(outbox.OpenCallCount(), Is.EqualTo(4));
        }
        List<CallEvent> closing;
        using (var reopened = new SqliteOutbox(DbPath))
        {
            closing = reopened.ReadPending(0, 100).Select(p => p.Envelope.Call).Where(c => c.EventId.Contains(":engine-failure", StringComparison.Ordinal)).ToList();
            Assert.That(reopened.CallsClosedAtStart, Is.EquivalentTo(new[] { "in-ivr", "queued", "talking", "outbound" }));
            Assert.That(reopened.OpenCallCount(), Is.Zero);
        }
        var byCall = closing.ToLookup(c => c.CallId);
        Assert.Multiple(() =>
        {
            Assert.That(byCall["ended"], Is.Empty, "a call that ended is not touched");
            Assert.That(byCall["talking"].Select(c => c.PayloadCase), Is.EqualTo(new[] { CallEvent.PayloadOneofCase.Ended }), "answered: no abandon");
            Assert.That(byCall["outbound"].Select(c => c.PayloadCase), Is.EqualTo(new[] { CallEvent.PayloadOneofCase.Ended }));
            var queued = byCall["queued"].ToList();
            Assert.That(queued.Select(c => c.EventId), Is.EqualTo(new[] { "queued:engine-failure-abandoned", "queued:engine-failure" }));
            Assert.That(queued[0].Abandoned.Where, Is.EqualTo(AbandonPoint.Queue), "back in the queue after a ring without answer");
            Assert.That(queued[0].Abandoned.Queue, Is.EqualTo("general"));
            Assert.That(queued[0].Abandoned.WaitMs, Is.EqualTo(8000), "queued at 1 s, last seen at 9 s");
            Assert.That(queued.Select(c => c.Sequence), Is.EqualTo(new ulong[] { 5, 6 }), "after the last journaled event");
            Assert.That(byCall["in-ivr"].First().Abandoned.Where, Is.EqualTo(AbandonPoint.Ivr));
            var ended = closing.Where(c => c.PayloadCase == CallEvent.PayloadOneofCase.Ended).ToList();
            Assert.That(ended.Select(c => (c.Ended.HangupBy, c.Ended.Reason)), Is.All.EqualTo((HangupBy.System, "engine-failure")));
        });
        using var third = new SqliteOutbox(DbPath);
        Assert.That(third.CallsClosedAtStart, Is.Empty, "closed once: a second restart adds nothing");
    }
}
