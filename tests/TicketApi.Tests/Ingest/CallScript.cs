using Google.Protobuf.WellKnownTypes;
using Hotline.Contracts.V1;

namespace Hotline.TicketApi.Tests.Ingest;

/// <summary>Builds the contract events of one call, numbered 1, 2, 3… as the engine would.</summary>
internal sealed class CallScript(string callId, DateTime start)
{
    private readonly List<CallEvent> _events = [];
    private DateTime _at = start;

    public IReadOnlyList<CallEvent> Events => _events;

    public IEnumerable<IngestEnvelope> Envelopes => _events.Select(e => new IngestEnvelope { Call = e });

    private CallScript Add(TimeSpan after, Action<CallEvent> fill)
    {
        _at += after;
        var e = new CallEvent
        {
            EventId = Guid.NewGuid().ToString(), CallId = callId, Sequence = (ulong)_events.Count + 1, NodeId = "acd-1",
            OccurredAt = Timestamp.FromDateTime(DateTime.SpecifyKind(_at, DateTimeKind.Utc)),
        };
        fill(e);
        _events.Add(e);
        return this;
    }

    public CallScript Offered(string caller = "13800001111") => Add(TimeSpan.Zero, e => e.Offered = new CallOffered
    { CallerNumber = caller, DialedNumber = "12345", Direction = CallDirection.Inbound });

    public CallScript Ivr(string nature) => Add(TimeSpan.FromSeconds(5), e => e.IvrChoice = new IvrChoice { Digits = "1", Queue = "general", Nature = nature });

    public CallScript Queued(string queue = "general") => Add(TimeSpan.FromSeconds(1), e => e.Queued = new CallQueued { Queue = queue, Position = 1, ServiceLevelMs = 15000 });

    public CallScript Answered(string agent, int waitMs, string queue = "general") => Add(TimeSpan.FromMilliseconds(waitMs), e => e.Answered = new CallAnswered
    { AgentId = agent, Queue = queue, WaitMs = (uint)waitMs, WithinServiceLevel = waitMs <= 15000, ServiceLevelMs = 15000 });

    public CallScript Abandoned(int waitMs, string queue = "general") => Add(TimeSpan.FromMilliseconds(waitMs), e => e.Abandoned = new CallAbandoned
    { Queue = queue, WaitMs = (uint)waitMs, Where = AbandonPoint.Queue });

    public CallScript CallbackRequested(string number) => Add(TimeSpan.FromSeconds(1), e => e.CallbackRequested = new CallbackRequested { Queue = "general", Number = number });

    public CallScript Rated(string agent, SatisfactionScore score, string queue = "general") => Add(TimeSpan.FromSeconds(60), e => e.SatisfactionRated = new SatisfactionRated
    { AgentId = agent, Queue = queue, Score = score, Direction = CallDirection.Inbound });

    public CallScript Ended(string? firstResponder = null) => Add(TimeSpan.FromSeconds(1), e => e.Ended = new CallEnded
    { HangupBy = HangupBy.Caller, TalkMs = 60000, FirstResponderAgentId = firstResponder ?? "", Direction = CallDirection.Inbound, Reason = "normal" });
}
