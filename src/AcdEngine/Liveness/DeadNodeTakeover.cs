using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Queues;
using Hotline.Contracts.V1;
using StackExchange.Redis;

namespace Hotline.AcdEngine.Liveness;

/// <summary>What a surviving engine did for a dead one.</summary>
public sealed record Takeover(string DeadNode, IReadOnlyList<string> ClosedCalls, int Abandoned, IReadOnlyList<string> RemovedFromLines);

/// <summary>
/// A surviving engine closes a dead engine's calls (issue 19, COMMON.md engine-failure contract). Under a short lock
/// (<c>hotline:node-takeover:&lt;dead&gt;</c>, <c>SET NX PX</c>: one survivor acts), and only while the dead node's
/// heartbeat is still absent, it reads the dead node's open-call mirror and appends, to its own outbox, the closing
/// events of each call (<see cref="OpenCallRecord.ClosingEvents"/>: the same deterministic ids the dead engine's own
/// journal gives on its restart, so TicketApi keeps one of each), under its OWN node id — TicketApi takes a node's
/// events only under that node's credential, and a call keeps the node of its first event (docs/ticketapi.md). Then it
/// removes the dead node's callers from the shared queue lines (they are abandoned calls now), frees the agents whose
/// leases the dead node held (so they are offered at once, not after the lease time) and deletes what it read.
/// </summary>
public sealed class DeadNodeTakeover(IConnectionMultiplexer redis, string node, IEventSink sink, Func<IEnumerable<string>> queueNames,
    Func<IEnumerable<string>> agentIds, IAgentLeases? leases, TimeSpan lease)
{
    /// <summary>The engines that beat (a set of node ids; an engine adds itself with each heartbeat).</summary>
    public const string NodesKey = Stats.RedisMirror.NodesKey;

    public static RedisKey HeartbeatKey(string node) => "hotline:node:" + node;

    public static RedisKey LockKey(string node) => "hotline:node-takeover:" + node;

    /// <summary>Closes <paramref name="deadNode"/>'s calls unless another survivor holds the lock or the node beats again; null then.</summary>
    public async Task<Takeover?> TryTakeOverAsync(string deadNode, TimeSpan lockFor)
    {
        var db = redis.GetDatabase();
        if (!await db.StringSetAsync(LockKey(deadNode), node, lockFor, When.NotExists)) return null;
        try
        {
            if (await db.KeyExistsAsync(HeartbeatKey(deadNode))) return null; // It came back: its own journal closes its calls.
            var entries = await db.HashGetAllAsync(OpenCallMirror.Key(deadNode));
            var records = entries.Select(h => OpenCallRecord.Parse(h.Name.ToString(), h.Value.ToString())).OfType<OpenCallRecord>().ToList();
            var abandoned = 0;
            foreach (var record in records)
            {
                foreach (var e in record.ClosingEvents(node))
                {
                    if (e.PayloadCase == CallEvent.PayloadOneofCase.Abandoned) abandoned++;
                    sink.Append(new IngestEnvelope { Call = e });
                }
            }
            var queues = queueNames().Concat(records.Select(r => r.Queue)).Where(q => q.Length > 0).Distinct(StringComparer.Ordinal);
            var removed = await new SharedQueueLine(redis, node, lease).RemoveNodeAsync(deadNode, queues);
            if (leases is RedisAgentLeases shared) await shared.ForgetNodeAsync(deadNode, agentIds());
            if (entries.Length > 0) await db.HashDeleteAsync(OpenCallMirror.Key(deadNode), [.. entries.Select(h => h.Name)]);
            await db.SetRemoveAsync(NodesKey, deadNode);
            return new Takeover(deadNode, [.. records.Select(r => r.CallId)], abandoned, removed);
        }
        finally
        {
            // Done (or given up): a later death of the same node, after a restart, is handled at once.
            await db.KeyDeleteAsync(LockKey(deadNode));
        }
    }
}
