using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hotline.Contracts.V1;

namespace Hotline.EndToEnd.Tests.TicketApi;

/// <summary>Contract events for whole calls, and a client that publishes them and collects the acks.</summary>
internal static class TicketEvents
{
    /// <summary>An answered call: offered, queued, answered by <paramref name="agent"/>, rated, ended (sequences 1–5).</summary>
    public static List<IngestEnvelope> AnsweredCall(string callId, string agent, DateTime start)
    {
        var n = 0ul;
        IngestEnvelope E(int afterSeconds, Action<CallEvent> fill)
        {
            var e = new CallEvent
            {
                EventId = Guid.NewGuid().ToString(), CallId = callId, Sequence = ++n, NodeId = "acd-e2e",
                OccurredAt = Timestamp.FromDateTime(start.AddSeconds(afterSeconds)),
            };
            fill(e);
            return new IngestEnvelope { Call = e };
        }
        return
        [
            E(0, e => e.Offered = new CallOffered { CallerNumber = "13800001111", DialedNumber = "12345", Direction = CallDirection.Inbound }),
            E(2, e => e.Queued = new CallQueued { Queue = "general", Position = 1, ServiceLevelMs = 15000 }),
            E(10, e => e.Answered = new CallAnswered { AgentId = agent, Queue = "general", WaitMs = 8000, WithinServiceLevel = true, ServiceLevelMs = 15000 }),
            E(70, e => e.SatisfactionRated = new SatisfactionRated { AgentId = agent, Queue = "general", Score = SatisfactionScore.Satisfied }),
            E(71, e => e.Ended = new CallEnded { HangupBy = HangupBy.Caller, FirstResponderAgentId = agent, TalkMs = 60000, Direction = CallDirection.Inbound }),
        ];
    }

    /// <summary>Publishes on one stream and returns every ack received before the server ends the stream.</summary>
    public static async Task<List<Ack>> PublishAsync(CallEventIngest.CallEventIngestClient client, IEnumerable<IngestEnvelope> envelopes, CancellationToken ct)
    {
        using var call = client.Publish(cancellationToken: ct);
        var acks = new List<Ack>();
        var reading = Task.Run(async () =>
        {
            await foreach (var ack in call.ResponseStream.ReadAllAsync(ct)) acks.Add(ack);
        }, ct);
        foreach (var e in envelopes) await call.RequestStream.WriteAsync(e, ct);
        await call.RequestStream.CompleteAsync();
        await reading;
        return acks;
    }
}
