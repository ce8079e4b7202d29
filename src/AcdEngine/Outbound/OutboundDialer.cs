using System.Collections.Concurrent;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Routing;
using Hotline.Cti.Calls;
using Hotline.AcdEngine.Dialing;

namespace Hotline.AcdEngine.Outbound;

/// <summary>The outcome of a dial request: the call's id, or why it was refused (nothing changed then).</summary>
public sealed record DialOutcome(bool Ok, string CallId, string Error, DialRefusal Refusal = DialRefusal.None);

public enum DialRefusal
{
    None,
    UnknownAgent,
    AgentNotReady,
    NumberNotAllowed,
    BadRequest,
}

/// <summary>
/// Owns the outbound calls in progress: click-to-call (CTI Dial, <c>POST /api/dial</c>) and numbers dialled from an
/// agent's softphone. Checks agent and dial plan before anything happens; a refused request changes nothing.
/// </summary>
public sealed partial class OutboundDialer : IDisposable
{
    private readonly CallFlowContext _ctx;
    private readonly OutboundOptions _options;
    private readonly DialPlan _plan;
    private readonly ConcurrentDictionary<string, OutboundCallFlow> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly CancellationTokenSource _stopping = new();

    public OutboundDialer(CallFlowContext ctx, OutboundOptions options)
    {
        _ctx = ctx;
        _options = options;
        _plan = new DialPlan(options);
    }

    /// <summary>Raised when an outbound call's flow has finished (after its CallEnded event).</summary>
    public event Action<OutboundCallFlow>? CallFinished;

    public OutboundCallFlow? Find(string callId) => _calls.GetValueOrDefault(callId);

    public OutboundCallFlow? FindByAgent(string agentId) => _calls.Values.FirstOrDefault(c => c.AgentId == agentId);

    /// <summary>The calls in progress now (the operator console's <c>calls</c>, issue 20).</summary>
    public IReadOnlyList<OutboundCallFlow> Calls => _calls.Values.ToList();

    /// <summary>Click-to-call: ring <paramref name="agentId"/>, then <paramref name="number"/>, and bridge them.</summary>
    public DialOutcome Dial(string? agentId, string? number, string? workOrderId) => Start(agentId, number, workOrderId, agentLeg: null);

    /// <summary>
    /// An INVITE from an agent's phone to a number the dial plan allows becomes an outbound call (the agent is
    /// "answered" at once). False when the leg is not such a call (the router goes on with feature codes).
    /// </summary>
    public bool TryTakeSoftphoneCall(ICallLeg leg)
    {
        var agent = _ctx.Roster.FindByUser(leg.RemoteUser);
        if (agent is null || !_plan.TryResolve(leg.DialedNumber, out _, out _, out _)) return false;
        var outcome = Start(agent.Id, leg.DialedNumber, null, leg);
        if (!outcome.Ok)
        {
            LogSoftphoneRefused(_ctx.Logger, agent.Id, outcome.Error);
            _ = RejectAsync(leg, outcome.Refusal == DialRefusal.AgentNotReady ? 486 : 403);
        }
        return true;
    }

    private DialOutcome Start(string? agentId, string? number, string? workOrderId, ICallLeg? agentLeg)
    {
        if (string.IsNullOrWhiteSpace(agentId)) return new(false, "", "agent_id is required.", DialRefusal.BadRequest);
        if (workOrderId is { Length: > 64 }) return new(false, "", "work_order_id is at most 64 characters.", DialRefusal.BadRequest);
        AgentSnapshot agent;
        try
        {
            agent = _ctx.Roster.Get(agentId);
        }
        catch (UnknownAgentException ex)
        {
            return new(false, "", ex.Message, DialRefusal.UnknownAgent);
        }
        if (!_plan.TryResolve(number, out var normalized, out var target, out var error))
            return new(false, "", error, DialRefusal.NumberNotAllowed);
        var flow = new OutboundCallFlow(_ctx, _options,
            new OutboundRequest(agent.Id, agent.User, normalized, target, string.IsNullOrEmpty(workOrderId) ? null : workOrderId, agentLeg));
        if (!flow.TryReserve())
            return new(false, "", $"Agent {agent.Id} is {_ctx.Roster.Get(agent.Id).State}, not ready: an outbound call needs a ready agent.", DialRefusal.AgentNotReady);
        _calls[flow.CallId] = flow;
        var run = RunAsync(flow);
        _running[run] = 0;
        _ = run.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return new(true, flow.CallId, "");
    }

    private async Task RunAsync(OutboundCallFlow flow)
    {
        await Task.Yield(); // Never on the caller's (gRPC, HTTP or SIP) thread.
        try
        {
            await flow.RunAsync(_stopping.Token);
        }
        finally
        {
            _calls.TryRemove(flow.CallId, out _);
            CallFinished?.Invoke(flow);
        }
    }

    private static async Task RejectAsync(ICallLeg leg, int status)
    {
        try
        {
            await leg.RejectAsync(status, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or TimeoutException)
        {
            // The agent's phone went away.
        }
    }

    /// <summary>Stops every outbound call (engine shutdown) and waits for them to record their end.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_running.Keys).WaitAsync(grace).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Softphone dial by agent {AgentId} refused: {Reason}")]
    private static partial void LogSoftphoneRefused(ILogger logger, string agentId, string reason);
}
