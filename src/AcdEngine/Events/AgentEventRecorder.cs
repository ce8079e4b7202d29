using Google.Protobuf.WellKnownTypes;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Hosting;
using Hotline.Contracts.V1;
using Microsoft.Extensions.Options;
using Hotline.AcdEngine.Node;

namespace Hotline.AcdEngine.Events;

/// <summary>
/// Turns each agent transition into an <see cref="AgentEvent"/> sequenced per agent. The sequence continues
/// across engine restarts from the last one the outbox stored (events.proto: 1, 2, 3… per agent).
/// </summary>
public sealed class AgentEventRecorder
{
    private readonly Dictionary<string, ulong> _last = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly string _nodeId;
    private readonly IEventSink _sink;

    public AgentEventRecorder(AgentRoster roster, IOptions<NodeOptions> node, IEventSink sink, IAgentSequenceStore sequences)
    {
        _nodeId = node.Value.Id;
        _sink = sink;
        foreach (var (agent, seq) in sequences.LastSequences()) _last[agent] = seq;
        roster.Changed += Record;
    }

    /// <summary>Raised after an agent event is stored (CTI WatchAgent listens here).</summary>
    public event Action<AgentEvent>? Recorded;

    private void Record(AgentTransition t)
    {
        // A change made on another engine (shared agent states) is recorded there; here it is only shown to the agent's
        // watchers (CTI WatchAgent: a desk connected to this engine), with no id and no new sequence, never stored.
        var elsewhere = t.Origin == TransitionOrigin.Elsewhere;
        AgentEvent evt;
        lock (_gate)
        {
            var seq = _last.GetValueOrDefault(t.AgentId) + (elsewhere ? 0UL : 1UL);
            _last[t.AgentId] = seq;
            evt = new AgentEvent
            {
                EventId = elsewhere ? "" : Guid.NewGuid().ToString(),
                AgentId = t.AgentId,
                Sequence = seq,
                NodeId = _nodeId,
                OccurredAt = Timestamp.FromDateTimeOffset(t.At),
                Status = t.To.ToContract(),
                PreviousStatus = t.From.ToContract(),
                Reason = t.Reason,
                CallId = t.CallId ?? "",
            };
            if (!elsewhere) _sink.Append(new IngestEnvelope { Agent = evt });
        }
        Recorded?.Invoke(evt);
    }
}

/// <summary>The last agent event sequence stored per agent (so numbering survives a restart).</summary>
public interface IAgentSequenceStore
{
    IReadOnlyDictionary<string, ulong> LastSequences();
}

public static class AgentStateContract
{
    public static AgentStatus ToContract(this AgentState state) => state switch
    {
        AgentState.SignedOut => AgentStatus.SignedOut,
        AgentState.Ready => AgentStatus.Ready,
        AgentState.NotReady => AgentStatus.NotReady,
        AgentState.Ringing => AgentStatus.Ringing,
        AgentState.Talking => AgentStatus.Talking,
        AgentState.WrapUp => AgentStatus.WrapUp,
        _ => AgentStatus.Unspecified,
    };
}
