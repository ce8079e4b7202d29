using Hotline.AcdEngine.Agents;
using StackExchange.Redis;

namespace Hotline.AcdEngine.Queues;

/// <summary>
/// One waiting line per queue name across every engine on one Redis (issue 19, docs/scaling.md): a sorted set
/// <c>hotline:queue-line:&lt;queue&gt;</c> of <c>&lt;node&gt;|&lt;callId&gt;</c> scored by the caller's queue entry
/// time (ms; ties by member), so first come is first served whichever engine holds the caller's media.
/// A free agent and the line's head are matched by one Lua script that also takes the agent's lease (the
/// <see cref="RedisAgentLeases"/> key, value <c>&lt;caller's node&gt;|&lt;callId&gt;</c>, so the lease belongs to the
/// engine that will ring the agent): no two engines can give one agent two callers, or one caller two agents.
/// The caller's engine learns of an offer made elsewhere on <c>hotline:queue-offer:&lt;node&gt;</c>
/// (<c>&lt;callId&gt;|&lt;agentId&gt;</c>) and rings the agent through Kamailio's registrar (any engine reaches any phone).
/// A caller who hangs up or is answered leaves the line; an engine that died leaves its callers in it until a
/// surviving engine removes them (<see cref="RemoveNodeAsync"/>: they become abandoned calls, COMMON.md).
/// </summary>
public sealed class SharedQueueLine(IConnectionMultiplexer redis, string node, TimeSpan lease)
{
    public const string OfferChannelPrefix = "hotline:queue-offer:";

    /// <summary>
    /// KEYS: line, agent lease. ARGV: lease ms, offer channel prefix, agent id. → "node|callId", 0 when the line is
    /// empty, 1 when the agent's lease is held (another engine rings, talks with or keeps them aside).
    /// </summary>
    private const string ClaimOldestScript = """
        local head = redis.call('ZRANGE', KEYS[1], 0, 0)
        if #head == 0 then return 0 end
        if redis.call('EXISTS', KEYS[2]) == 1 then return 1 end
        local bar = string.find(head[1], '|', 1, true)
        local owner = string.sub(head[1], 1, bar - 1)
        local call = string.sub(head[1], bar + 1)
        redis.call('ZREM', KEYS[1], head[1])
        redis.call('SET', KEYS[2], owner .. '|' .. call, 'PX', ARGV[1])
        redis.call('PUBLISH', ARGV[2] .. owner, call .. '|' .. ARGV[3])
        return head[1]
        """;

    /// <summary>
    /// KEYS: line, then one lease key per candidate agent (in the queue strategy's order). ARGV: member, lease ms.
    /// → index (1-based) of the agent taken, 0 when the member is not the line's head or no candidate is free.
    /// </summary>
    private const string ClaimAgentScript = """
        local head = redis.call('ZRANGE', KEYS[1], 0, 0)
        if #head == 0 or head[1] ~= ARGV[1] then return 0 end
        for i = 2, #KEYS do
          if redis.call('SET', KEYS[i], ARGV[1], 'NX', 'PX', ARGV[2]) then
            redis.call('ZREM', KEYS[1], ARGV[1])
            return i - 1
          end
        end
        return 0
        """;

    /// <summary>KEYS: lines. ARGV: "node|" → every member of that node removed; returns them.</summary>
    private const string RemoveNodeScript = """
        local gone = {}
        for _, line in ipairs(KEYS) do
          for _, m in ipairs(redis.call('ZRANGE', line, 0, -1)) do
            if string.sub(m, 1, string.len(ARGV[1])) == ARGV[1] then
              redis.call('ZREM', line, m)
              table.insert(gone, m)
            end
          end
        end
        return gone
        """;

    /// <summary>This engine's node id (<c>Node:Id</c>): the first part of its callers' members.</summary>
    public string Node => node;

    public static RedisKey LineKey(string queue) => "hotline:queue-line:" + queue;

    private string Member(string callId) => node + "|" + callId;

    /// <summary>The caller joins the line at their queue entry time (a retry keeps the first time: NX).</summary>
    public Task JoinAsync(string queue, string callId, DateTimeOffset enteredAt) =>
        redis.GetDatabase().SortedSetAddAsync(LineKey(queue), Member(callId), enteredAt.ToUnixTimeMilliseconds(), SortedSetWhen.NotExists);

    /// <summary>The caller hung up, went to voicemail, or was answered by an agent of this engine.</summary>
    public Task LeaveAsync(string queue, string callId) => redis.GetDatabase().SortedSetRemoveAsync(LineKey(queue), Member(callId));

    /// <summary>1-based position across every engine; null when not in the line.</summary>
    public async Task<long?> PositionAsync(string queue, string callId) =>
        await redis.GetDatabase().SortedSetRankAsync(LineKey(queue), Member(callId)) is { } rank ? rank + 1 : null;

    /// <summary>
    /// An agent became free here: offer them the oldest caller of <paramref name="queue"/> on any engine. Returns the
    /// caller (node, call id) whose engine now holds the agent's lease and was told on its offer channel; null when the
    /// line is empty or the agent's lease is held (another engine rings or talks to them).
    /// </summary>
    public async Task<(string Node, string CallId)?> TryClaimOldestAsync(string queue, string agentId) =>
        await ClaimOldestAsync(queue, agentId) is { Caller: { } caller } ? caller : null;

    /// <summary>
    /// As <see cref="TryClaimOldestAsync"/>, telling an empty line (<see cref="LineClaim.Empty"/>: no other agent need
    /// try) from an agent held elsewhere (<see cref="LineClaim.AgentHeld"/>: the next agent may).
    /// </summary>
    public async Task<LineClaim> ClaimOldestAsync(string queue, string agentId)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(ClaimOldestScript,
            [LineKey(queue), RedisAgentLeases.Key(agentId)], [(long)lease.TotalMilliseconds, OfferChannelPrefix, agentId]);
        if (result.Resp2Type == ResultType.Integer) return (int)result == 0 ? LineClaim.Empty : LineClaim.AgentHeld;
        var member = result.ToString();
        var bar = member.IndexOf('|', StringComparison.Ordinal);
        return new LineClaim((member[..bar], member[(bar + 1)..]), false);
    }

    /// <summary>The entry time (Unix ms) of the line's head; null when nobody waits in <paramref name="queue"/>.</summary>
    public async Task<double?> HeadAsync(string queue)
    {
        var head = await redis.GetDatabase().SortedSetRangeByRankWithScoresAsync(LineKey(queue), 0, 0);
        return head.Length == 0 ? null : head[0].Score;
    }

    /// <summary>
    /// An offer this engine cannot take (the caller left, was offered already, or the agent is not ready here): the
    /// agent's lease taken for it is given back (only that value), and with <paramref name="announce"/> the other
    /// engines are told the agent is free (<see cref="RedisAgentLeases.FreedChannel"/>).
    /// </summary>
    public Task ReturnOfferAsync(string agentId, string callId, bool announce) =>
        redis.GetDatabase().ScriptEvaluateAsync(ReturnScript, [RedisAgentLeases.Key(agentId)],
            [Member(callId), announce ? RedisAgentLeases.FreedChannel : "", agentId]);

    /// <summary>KEYS: agent lease. ARGV: value, channel ("" = none), agent id.</summary>
    private const string ReturnScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
          return 1
        end
        return 0
        """;

    /// <summary>
    /// A caller of this engine asks for an agent: granted only when they head the line (first come, first served across
    /// engines) and one of <paramref name="candidates"/> (ready here, in the strategy's order) has no lease.
    /// </summary>
    public async Task<string?> TryClaimAgentAsync(string queue, string callId, IReadOnlyList<string> candidates)
    {
        if (candidates.Count == 0) return null;
        var keys = new RedisKey[candidates.Count + 1];
        keys[0] = LineKey(queue);
        for (var i = 0; i < candidates.Count; i++) keys[i + 1] = RedisAgentLeases.Key(candidates[i]);
        var index = (int)await redis.GetDatabase().ScriptEvaluateAsync(ClaimAgentScript, keys, [Member(callId), (long)lease.TotalMilliseconds]);
        return index == 0 ? null : candidates[index - 1];
    }

    /// <summary>Offers made to this engine's callers by other engines: (callId, agentId).</summary>
    public Task SubscribeOffersAsync(Action<string, string> offered) =>
        redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(OfferChannelPrefix + node), (_, message) =>
        {
            var text = message.ToString();
            var bar = text.LastIndexOf('|');
            if (bar > 0) offered(text[..bar], text[(bar + 1)..]);
        });

    /// <summary>
    /// As <see cref="SubscribeOffersAsync"/>, without waiting: Redis away at start is not an error (the multiplexer
    /// subscribes once it connects). The handler runs on the subscription's thread and must return quickly.
    /// </summary>
    public void SubscribeOffers(Action<string, string> offered) =>
        redis.GetSubscriber().Subscribe(RedisChannel.Literal(OfferChannelPrefix + node), (_, message) =>
        {
            var text = message.ToString();
            var bar = text.LastIndexOf('|');
            if (bar > 0) offered(text[..bar], text[(bar + 1)..]);
        }, CommandFlags.FireAndForget);

    /// <summary>A dead engine's callers leave every line given (a surviving engine closes them as abandoned).</summary>
    public async Task<IReadOnlyList<string>> RemoveNodeAsync(string deadNode, IEnumerable<string> queues)
    {
        var keys = queues.Select(LineKey).ToArray();
        if (keys.Length == 0) return [];
        var removed = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(RemoveNodeScript, keys, [deadNode + "|"]))!;
        return [.. removed.Select(r => r.ToString()[(deadNode.Length + 1)..])];
    }
}

/// <summary>What <see cref="SharedQueueLine.ClaimOldestAsync"/> did: the caller offered the agent, or why none.</summary>
public readonly record struct LineClaim((string Node, string CallId)? Caller, bool Held)
{
    public static readonly LineClaim Empty = new(null, false);
    public static readonly LineClaim AgentHeld = new(null, true);
}
