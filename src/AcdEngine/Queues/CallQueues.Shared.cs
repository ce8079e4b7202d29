using Hotline.AcdEngine.Agents;
using StackExchange.Redis;

namespace Hotline.AcdEngine.Queues;

/// <summary>
/// One waiting line per queue name across every engine (<c>Acd:SharedQueues</c>, docs/scaling.md): each caller also
/// stands in <see cref="SharedQueueLine"/> (Redis) at their entry time, and a free agent is given to the line's head
/// whichever engine holds that caller — first come, first served across engines. The engine that sees the agent free
/// runs a "line pass" (<see cref="SharedQueueLine.ClaimOldestAsync"/> takes the agent's lease for the caller's engine
/// and publishes the offer); the caller's engine takes the offer (<see cref="TakeOfferAsync"/>): it reserves the agent
/// in its roster and hands them to the call's flow, which rings them (through Kamailio, <c>Sip:AgentProxy</c>).
/// Redis away → this engine serves its own callers (<see cref="DispatchLocal"/>), said once; when it is back, the
/// callers that waited meanwhile join the line again at their entry time.
/// </summary>
public sealed partial class CallQueues
{
    /// <summary>A pass now and then even without a signal: a missed offer or a lease that expired is caught up.</summary>
    private static readonly TimeSpan LineSweep = TimeSpan.FromSeconds(2);

    private SharedQueueLine? _line;
    private Func<bool> _lineReachable = static () => false;
    private ILogger? _lineLogger;
    private ITimer? _lineSweep;
    private readonly SemaphoreSlim _passGate = new(1, 1);
    private int _passWanted;
    private int _lineDown;
    private long _lineBackAtTicks; // UTC ticks of the last "back": an outage soon after it is the same failover flapping
    private int _outageUnsaid; // 1 while the current outage was not logged (see LineFailed)

    /// <summary>
    /// A Sentinel failover is not one clean down-then-up: the connection may come back and drop again for a few seconds
    /// while the replica is promoted (seen in the whole-site test, docs/scaling.md). An outage that starts within this of
    /// the line coming back is the same one: logged at Debug, so that a failover is said once (issue 19).
    /// </summary>
    internal static readonly TimeSpan OutageSettle = TimeSpan.FromSeconds(30);

    /// <summary>True when callers wait in one line across engines (<c>Acd:SharedQueues</c> with Redis).</summary>
    public bool SharesLine => _line is not null;

    /// <summary>
    /// Turns the shared line on (at start, before any call): offers for this engine's callers are taken from the
    /// line's offer channel; callers an earlier run of this node left in the line are dropped (it holds none yet).
    /// </summary>
    public void UseSharedLine(SharedQueueLine line, Func<bool> reachable, ILogger logger)
    {
        _line = line;
        _lineReachable = reachable;
        _lineLogger = logger;
        line.SubscribeOffers((callId, agentId) => _ = Task.Run(() => TakeOfferAsync(callId, agentId)));
        if (reachable())
        {
            try
            {
                var left = line.RemoveNodeAsync(line.Node, Names).WaitAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
                if (left.Count > 0) LogEarlierRunLeft(logger, left.Count);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LineFailed(ex.Message);
            }
        }
        _lineSweep = _time.CreateTimer(_ => _ = Task.Run(SweepLineAsync), null, LineSweep, LineSweep);
        LogSharedLine(logger, line.Node);
    }

    /// <summary>The caller's place across engines (1-based); this engine's own position when the line cannot tell.</summary>
    public async Task<int> SharedPositionAsync(QueuedCall call)
    {
        if (LineUsable())
        {
            try
            {
                if (await _line!.PositionAsync(call.Queue, call.CallId) is { } position) return (int)position;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LineFailed(ex.Message);
            }
        }
        return PositionOf(call);
    }

    private bool LineUsable()
    {
        if (_line is null) return false;
        if (_lineReachable()) return true;
        LineFailed("no Redis master connected");
        return false;
    }

    /// <summary>
    /// Redis does not answer: this engine serves its own callers; logged once until the line works again, and not again
    /// when it fails within <see cref="OutageSettle"/> of coming back (the same failover).
    /// </summary>
    private void LineFailed(string why)
    {
        if (Interlocked.Exchange(ref _lineDown, 1) != 0 || _lineLogger is not { } logger) return;
        var backAt = Interlocked.Read(ref _lineBackAtTicks);
        var sameOutage = backAt != 0 && _time.GetUtcNow().UtcTicks - backAt < OutageSettle.Ticks;
        Volatile.Write(ref _outageUnsaid, sameOutage ? 1 : 0);
        if (sameOutage) LogLineDownAgain(logger, why);
        else LogLineDown(logger, why);
    }

    private void JoinLineThenDispatch(QueuedCall call)
    {
        if (!LineUsable())
        {
            DispatchLocal();
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await _line!.JoinAsync(call.Queue, call.CallId, call.EnteredAt);
                RequestLinePass();
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LineFailed(ex.Message);
                DispatchLocal();
            }
        });
    }

    private void LeaveLine(QueuedCall call)
    {
        if (_line is not { } line || !_lineReachable()) return;
        _ = line.LeaveAsync(call.Queue, call.CallId).ContinueWith(t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default); // Left behind: an offer for it is handed back.
    }

    /// <summary>Asks for a line pass; passes run one at a time, and a request during one runs another after it.</summary>
    private void RequestLinePass()
    {
        Interlocked.Exchange(ref _passWanted, 1);
        if (!_passGate.Wait(0)) return;
        _ = Task.Run(RunLinePassesAsync);
    }

    private async Task RunLinePassesAsync()
    {
        try
        {
            while (Interlocked.Exchange(ref _passWanted, 0) == 1) await LinePassAsync();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LineFailed(ex.Message);
            DispatchLocal();
        }
        finally
        {
            _passGate.Release();
        }
        if (Volatile.Read(ref _passWanted) == 1) RequestLinePass();
    }

    /// <summary>
    /// Gives this engine's ready agents to the oldest callers of the line: queues by their head's entry time (an agent
    /// of several queues takes the oldest caller of them), agents in each queue's strategy order.
    /// </summary>
    private async Task LinePassAsync()
    {
        var line = _line!;
        if (!_lineReachable())
        {
            LineFailed("no Redis master connected");
            DispatchLocal();
            return;
        }
        if (Interlocked.Exchange(ref _lineDown, 0) == 1) await RejoinLineAsync(line);
        if (!_roster.AnyReady()) return;
        var heads = new List<(double At, string Queue)>();
        foreach (var name in Names)
            if (await line.HeadAsync(name) is { } at) heads.Add((at, name));
        heads.Sort();
        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, queue) in heads)
        {
            IReadOnlyList<AgentSnapshot> agents;
            lock (_gate)
            {
                if (!_queues.TryGetValue(queue, out var entry)) continue;
                agents = entry.Selector.Select(_roster.ReadyIn(queue));
            }
            foreach (var agent in agents)
            {
                if (given.Contains(agent.Id)) continue;
                var claim = await line.ClaimOldestAsync(queue, agent.Id);
                if (claim.Caller is { } caller)
                {
                    given.Add(agent.Id);
                    LogClaimed(_lineLogger!, agent.Id, caller.CallId, caller.Node, queue);
                }
                else if (!claim.Held) break; // Nobody left in this queue's line.
            }
        }
    }

    /// <summary>
    /// Every <see cref="LineSweep"/>: a caller of this engine who is neither offered nor in the line at two sweeps running
    /// lost an offer on its way (Redis pub/sub delivers at most once, e.g. across a reconnect) and stands in the line
    /// again at their entry time; then a pass, if an agent is ready. One sweep apart leaves an offer in flight alone (were
    /// it taken twice, the second is handed back: <see cref="TakeOfferAsync"/>).
    /// </summary>
    private async Task SweepLineAsync()
    {
        if (_line is not { } line || !_lineReachable()) return;
        try
        {
            List<QueuedCall> waiting;
            lock (_gate) waiting = [.. _queues.Values.SelectMany(q => q.Waiting).Where(c => !c.Offered)];
            foreach (var call in waiting)
            {
                if (await line.PositionAsync(call.Queue, call.CallId) is not null) call.LineMisses = 0;
                else if (++call.LineMisses >= 2)
                {
                    call.LineMisses = 0;
                    lock (_gate)
                        if (call.Node is null || call.Offered) continue;
                    await line.JoinAsync(call.Queue, call.CallId, call.EnteredAt);
                    LogRejoined(_lineLogger!, call.CallId);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LineFailed(ex.Message);
        }
        if (_roster.AnyReady()) RequestLinePass();
    }

    /// <summary>Back from an outage: this engine's waiting callers stand in the line again at their entry time.</summary>
    private async Task RejoinLineAsync(SharedQueueLine line)
    {
        List<QueuedCall> waiting;
        lock (_gate) waiting = [.. _queues.Values.SelectMany(q => q.Waiting).Where(c => !c.Offered)];
        foreach (var call in waiting) await line.JoinAsync(call.Queue, call.CallId, call.EnteredAt);
        Interlocked.Exchange(ref _lineBackAtTicks, _time.GetUtcNow().UtcTicks);
        if (Volatile.Read(ref _outageUnsaid) == 1) LogLineBackAgain(_lineLogger!, waiting.Count);
        else LogLineBack(_lineLogger!, waiting.Count);
    }

    /// <summary>
    /// An agent was claimed for one of this engine's callers (by any engine): reserve them here (Ready → Ringing),
    /// adopt the lease the claim took, and hand them to the caller's flow. An offer the caller cannot take any more
    /// (gone, or offered already) gives the agent back to everyone; an agent not ready here is given back quietly
    /// and the caller stands in the line again at their entry time.
    /// </summary>
    private async Task TakeOfferAsync(string callId, string agentId)
    {
        var line = _line!;
        try
        {
            QueuedCall? call;
            lock (_gate)
            {
                call = _queues.Values.SelectMany(q => q.Waiting).FirstOrDefault(c => c.CallId == callId);
                if (call is { Offered: false }) call.Offered = true;
                else call = null;
            }
            if (call is null)
            {
                await line.ReturnOfferAsync(agentId, callId, announce: true);
                return;
            }
            if (!TryReserve(agentId, callId))
            {
                LogOfferRefused(_lineLogger!, agentId, callId);
                await line.ReturnOfferAsync(agentId, callId, announce: false);
                await UnofferAsync(line, call);
                return;
            }
            if (!await _roster.TryLeaseAsync(agentId, callId)) // The lease lapsed and was taken meanwhile: reservation undone.
            {
                await UnofferAsync(line, call);
                RequestLinePass();
                return;
            }
            bool waiting;
            lock (_gate)
            {
                waiting = call.Node is not null;
                if (waiting) call.NextOffer.TrySetResult([_roster.Get(agentId)]);
            }
            if (!waiting) _roster.ReleaseRing(agentId, callId, null); // Left meanwhile: ready again, the lease given back.
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LineFailed(ex.Message);
        }
    }

    private bool TryReserve(string agentId, string callId)
    {
        try
        {
            return _roster.TryReserve(agentId, callId);
        }
        catch (UnknownAgentException)
        {
            return false; // Not an agent of this engine's configuration.
        }
    }

    private async Task UnofferAsync(SharedQueueLine line, QueuedCall call)
    {
        lock (_gate)
        {
            if (call.Node is null) return;
            call.Offered = false;
        }
        await line.JoinAsync(call.Queue, call.CallId, call.EnteredAt);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queues are one line across engines (Acd:SharedQueues, node {Node})")]
    private static partial void LogSharedLine(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped {Count} callers an earlier run of this engine left in the shared queue line")]
    private static partial void LogEarlierRunLeft(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shared queue line unavailable ({Why}): this engine offers its agents to its own callers until Redis is back")]
    private static partial void LogLineDown(ILogger logger, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared queue line back: {Count} callers of this engine rejoined it at their entry time")]
    private static partial void LogLineBack(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shared queue line dropped again soon after coming back ({Why}): the same outage, serving this engine's own callers")]
    private static partial void LogLineDownAgain(ILogger logger, string why);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shared queue line back again: {Count} callers of this engine rejoined it at their entry time")]
    private static partial void LogLineBackAgain(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId} offered to call {CallId} of node {Node} (oldest in {Queue} across engines)")]
    private static partial void LogClaimed(ILogger logger, string agentId, string callId, string node, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId} was out of the shared queue line without an offer: it stands in it again at its entry time")]
    private static partial void LogRejoined(ILogger logger, string callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId} is not ready on this engine: offer for call {CallId} handed back")]
    private static partial void LogOfferRefused(ILogger logger, string agentId, string callId);
}
