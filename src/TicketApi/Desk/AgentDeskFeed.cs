using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WebConsole;
using Hotline.TicketApi.Engine;

namespace Hotline.TicketApi.Desk;

/// <summary>
/// One agent's desk feed: the engine's CTI <c>WatchAgent</c> stream for the agent (with TicketApi's Service key, acting as
/// the agent), turned into <see cref="DeskMessage"/>s for that agent's browsers. Every notification is forwarded as it
/// arrives (no batching): the screen pop first, then the caller's history read from the store. The latest engine, state,
/// pop and history messages are replayed to a browser that connects later. The calls popped on this desk are remembered:
/// an order is bound only to one of them.
/// </summary>
public sealed partial class AgentDeskFeed : IDisposable
{
    private const int RememberedCalls = 50;
    private readonly string _agentId;
    private readonly AcdEngineOptions _engine;
    private readonly DeskOptions _desk;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<Channel<string>> _watchers = [];
    private readonly LinkedList<PoppedCall> _calls = new();
    private CancellationTokenSource? _running;
    private string _engineMessage = DeskMessage.Engine(false, "connecting");
    private string? _state;
    private string? _pop;
    private string? _history;

    internal AgentDeskFeed(string agentId, AcdEngineOptions engine, DeskOptions desk, IServiceScopeFactory scopes, TimeProvider time, ILogger logger)
    {
        _agentId = agentId;
        _engine = engine;
        _desk = desk;
        _scopes = scopes;
        _time = time;
        _logger = logger;
    }

    /// <summary>A call the engine popped on this desk (kept for binding its order after the call).</summary>
    public sealed record PoppedCall(string CallId, string CallerNumber, string CallerName, string Queue, string Nature, DateTimeOffset At);

    /// <summary>The call popped on this desk with that id, or null (not this agent's call, or forgotten).</summary>
    public PoppedCall? Popped(string callId)
    {
        lock (_gate) return _calls.FirstOrDefault(c => c.CallId == callId);
    }

    /// <summary>Messages from now on (the latest engine/state/pop/history first), until <paramref name="cancellationToken"/>.</summary>
    public async IAsyncEnumerable<string> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Bounded, drop-oldest: a stalled browser never holds the feed.
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            channel.Writer.TryWrite(_engineMessage);
            if (_state is not null) channel.Writer.TryWrite(_state);
            if (_pop is not null) channel.Writer.TryWrite(_pop);
            if (_history is not null) channel.Writer.TryWrite(_history);
            _watchers.Add(channel);
            if (_running is null)
            {
                _running = new CancellationTokenSource();
                var token = _running.Token;
                _ = Task.Run(() => RunAsync(token), CancellationToken.None);
            }
        }
        try
        {
            await foreach (var m in channel.Reader.ReadAllAsync(cancellationToken)) yield return m;
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
                if (_watchers.Count == 0 && _running is { } running)
                {
                    // Nobody watches: let the engine stream go (a desk that comes back reopens it).
                    _running = null;
                    running.Cancel();
                    running.Dispose();
                }
            }
        }
    }

    private void Publish(string message, Action<string>? keep = null)
    {
        lock (_gate)
        {
            keep?.Invoke(message);
            foreach (var w in _watchers) w.Writer.TryWrite(message);
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        if (string.IsNullOrEmpty(_engine.Url))
        {
            Publish(DeskMessage.Engine(false, "no AcdEngine:Url configured"), m => _engineMessage = m);
            return;
        }
        using var channel = GrpcChannel.ForAddress(_engine.Url);
        var client = new Cti.CtiClient(channel);
        var backoff = TimeSpan.FromSeconds(1);
        var wasUp = true;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var call = client.WatchAgent(new AgentRequest { AgentId = _agentId },
                    EngineIdentity.ActingAsAgent(_engine.ServiceKey, _agentId), cancellationToken: ct);
                var first = true;
                await foreach (var n in call.ResponseStream.ReadAllAsync(ct))
                {
                    if (first)
                    {
                        first = false;
                        if (!wasUp) LogBack(_logger, _agentId);
                        wasUp = true;
                        backoff = TimeSpan.FromSeconds(1);
                        Publish(DeskMessage.Engine(true, ""), m => _engineMessage = m);
                    }
                    await OnNotificationAsync(n, ct);
                }
                Publish(DeskMessage.Engine(false, "the engine closed the agent stream"), m => _engineMessage = m);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException ex)
            {
                if (wasUp) LogAway(_logger, _agentId, ex.StatusCode, ex.Status.Detail);
                wasUp = false;
                var reason = ex.StatusCode switch
                {
                    StatusCode.NotFound => "the engine does not know agent " + _agentId,
                    StatusCode.Unauthenticated or StatusCode.PermissionDenied => "the engine refused TicketApi's credential (AcdEngine:ServiceKey)",
                    _ => "AcdEngine unreachable",
                };
                Publish(DeskMessage.Engine(false, reason), m => _engineMessage = m);
            }
            try
            {
                await Task.Delay(backoff, _time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromSeconds(Math.Min(backoff.TotalSeconds * 2, _engine.ReconnectMaxSeconds));
        }
    }

    private async Task OnNotificationAsync(AgentNotification n, CancellationToken ct)
    {
        switch (n.KindCase)
        {
            case AgentNotification.KindOneofCase.State:
                Publish(DeskMessage.State(n.State, n.WrapUpSeconds, n.AgentName), m => _state = m);
                break;
            case AgentNotification.KindOneofCase.ScreenPop:
                var p = n.ScreenPop;
                var at = _time.GetUtcNow();
                lock (_gate)
                {
                    _calls.AddFirst(new PoppedCall(p.CallId, p.CallerNumber, p.CallerName, p.Queue, p.Nature, at));
                    while (_calls.Count > RememberedCalls) _calls.RemoveLast();
                }
                // The pop goes out at once; the history follows as soon as the store answers.
                Publish(DeskMessage.Pop(p, at), m => { _pop = m; _history = null; });
                var history = await HistoryAsync(p, ct);
                Publish(DeskMessage.History(p.CallId, history), m => _history = m);
                break;
            case AgentNotification.KindOneofCase.Call:
                Publish(DeskMessage.Call(n.Call));
                break;
        }
    }

    private async Task<CallerHistory> HistoryAsync(ScreenPop pop, CancellationToken ct)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TicketDbContext>();
            return await CallerHistory.ForNumberAsync(db, pop.CallerNumber, pop.CallId, _time.GetUtcNow().UtcDateTime,
                _desk.RepeatCallerDays, _desk.HistoryItems, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHistoryFailed(_logger, ex, pop.CallId);
            return CallerHistory.None;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _running?.Cancel();
            _running?.Dispose();
            _running = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Desk of agent {AgentId}: AcdEngine agent stream unavailable ({Status}: {Detail}); retrying")]
    private static partial void LogAway(ILogger logger, string agentId, StatusCode status, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Desk of agent {AgentId}: AcdEngine agent stream back")]
    private static partial void LogBack(ILogger logger, string agentId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Screen pop of call {CallId}: the caller's history could not be read")]
    private static partial void LogHistoryFailed(ILogger logger, Exception ex, string callId);
}
