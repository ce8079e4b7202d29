using Hotline.AcdEngine.Redis;
using StackExchange.Redis;

namespace Hotline.AcdEngine.Agents;

/// <summary>
/// Agents' presence shared by every engine on one Redis (issue 19, docs/scaling.md): a sign-in, ready, not ready (with
/// its reason) or wrap-up made on one engine — from the desk over CTI or a feature code — is published on
/// <c>hotline:agent-state</c> (<c>&lt;node&gt;|&lt;agent&gt;|&lt;state&gt;|&lt;reason&gt;</c>) and applied by every
/// other engine's roster (<see cref="AgentRoster.ApplyShared"/>), in order (one subscriber queue). The state itself is
/// also in <c>hotline:agent:&lt;id&gt;</c> (Stats.RedisMirror), which a starting engine reads back. Only changes made
/// here are told (<see cref="TransitionOrigin.Local"/>), and not "not ready (no phone)": which phones are registered is
/// each engine's own view. Redis away → each engine keeps its own view (RedisMirror says so once).
/// </summary>
public sealed class SharedAgentStates : IDisposable
{
    public const string Channel = "hotline:agent-state";

    private readonly IConnectionMultiplexer _redis;
    private readonly string _node;
    private readonly AgentRoster _roster;
    private readonly ChannelMessageQueue _messages;

    public SharedAgentStates(IConnectionMultiplexer redis, string node, AgentRoster roster)
    {
        _redis = redis;
        _node = node;
        _roster = roster;
        roster.Changed += Publish;
        // A queue, not a handler: messages are applied one at a time, in the order they were published.
        _messages = redis.GetSubscriber().Subscribe(RedisChannel.Literal(Channel), CommandFlags.FireAndForget);
        _messages.OnMessage(OnMessage);
    }

    /// <summary>
    /// Completes once Redis has this engine's subscription (the constructor only queues the SUBSCRIBE): a PING on the
    /// subscriber's own connection, answered after it. A starting engine awaits it before reading the stored states,
    /// so that a change made elsewhere in between is either in what it reads or told to it. Redis away: at once.
    /// </summary>
    public async Task ListeningAsync()
    {
        if (!RedisConnection.MasterReachable(_redis)) return;
        try
        {
            await _redis.GetSubscriber().PingAsync();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // As when Redis is away: the subscription is made again when it comes back.
        }
    }

    /// <summary>Raised after a change from another engine was handed to the roster (tests await it).</summary>
    public event Action<string, AgentState>? Applied;

    private void Publish(AgentTransition t)
    {
        // Raised under the roster's lock: enqueue only (fire-and-forget), never wait for Redis here.
        if (t.Origin != TransitionOrigin.Local || !AgentRoster.IsShared(t.To) || AgentRoster.IsLocalReason(t.Reason)) return;
        if (!RedisConnection.MasterReachable(_redis)) return;
        try
        {
            // The async API: the sync one may wait for the connection's writer under the roster's lock (docs/scaling.md).
            _ = _redis.GetSubscriber().PublishAsync(RedisChannel.Literal(Channel), $"{_node}|{t.AgentId}|{t.To}|{t.Reason}", CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The others keep their view until the next change; the stored state is still read at their start.
        }
    }

    private void OnMessage(ChannelMessage message)
    {
        var parts = message.Message.ToString().Split('|', 4);
        if (parts.Length != 4 || parts[0] == _node || !Enum.TryParse<AgentState>(parts[2], out var state)) return;
        try
        {
            _roster.ApplyShared(parts[1], state, parts[3]);
        }
        catch (AgentTransitionException)
        {
            // Not a legal change here now: this engine's state wins.
        }
        Applied?.Invoke(parts[1], state);
    }

    public void Dispose()
    {
        _roster.Changed -= Publish;
        _messages.Unsubscribe(CommandFlags.FireAndForget);
    }
}
