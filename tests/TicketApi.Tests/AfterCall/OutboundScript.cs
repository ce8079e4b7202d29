using Google.Protobuf.WellKnownTypes;
using Hotline.Contracts.V1;

namespace Hotline.TicketApi.Tests.AfterCall;

/// <summary>The events of one outbound call as the engine emits them (OutboundCallFlow), numbered 1, 2, 3…</summary>
internal sealed class OutboundScript(string callId, DateTime start)
{
    private readonly List<CallEvent> _events = [];
    private DateTime _at = start;

    public IEnumerable<IngestEnvelope> Envelopes => _events.Select(e => new IngestEnvelope { Call = e });

    private OutboundScript Add(TimeSpan after, Action<CallEvent> fill)
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

    public OutboundScript Offered(string number, string workOrder, string agent = "a1") => Add(TimeSpan.Zero, e => e.Offered = new CallOffered
    { CallerNumber = number, DialedNumber = number, Direction = CallDirection.Outbound, WorkOrderId = workOrder, AgentId = agent });

    public OutboundScript Answered(string agent = "a1") => Add(TimeSpan.FromSeconds(8), e => e.Answered = new CallAnswered { AgentId = agent, Queue = "outbound", WithinServiceLevel = true });

    public OutboundScript Rated(SatisfactionScore score, string agent = "a1") => Add(TimeSpan.FromSeconds(90), e => e.SatisfactionRated = new SatisfactionRated
    { AgentId = agent, Queue = "outbound", Score = score, Direction = CallDirection.Outbound });

    public OutboundScript Ended(string reason = "normal", string agent = "a1") => Add(TimeSpan.FromSeconds(10), e => e.Ended = new CallEnded
    { HangupBy = HangupBy.Agent, Direction = CallDirection.Outbound, Reason = reason, FirstResponderAgentId = agent });
}
