using Google.Protobuf.WellKnownTypes;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Events;

/// <summary>Where finished events go: the durable outbox in the host, a list in tests.</summary>
public interface IEventSink
{
    /// <summary>Stores the event durably before returning (events.proto: written before send).</summary>
    void Append(IngestEnvelope envelope);
}

/// <summary>
/// The events of one call: stamps each with a fresh id, the call id, the next per-call sequence number (1, 2, 3…),
/// the node id and the time, then appends it to the sink. One instance per call, used by that call's flow only.
/// </summary>
public sealed class CallEventStream(string callId, string nodeId, TimeProvider time, IEventSink sink)
{
    private ulong _sequence;

    public string CallId { get; } = callId;

    /// <summary>Stamps and appends <paramref name="evt"/> (its payload already set); returns it.</summary>
    public CallEvent Emit(CallEvent evt)
    {
        evt.EventId = Guid.NewGuid().ToString();
        evt.CallId = CallId;
        evt.Sequence = Interlocked.Increment(ref _sequence);
        evt.NodeId = nodeId;
        evt.OccurredAt = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        sink.Append(new IngestEnvelope { Call = evt });
        return evt;
    }
}
