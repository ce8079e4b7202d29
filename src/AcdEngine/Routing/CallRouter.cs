using System.Collections.Concurrent;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Prompts;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// Takes every incoming leg from <see cref="ITelephony"/>: the hotline number starts an <see cref="InboundCallFlow"/>;
/// an agent's feature code (<c>Acd:FeatureCodes</c>) changes their state; anything else is refused with 404.
/// Keeps the calls in progress so the CTI API can find an agent's call.
/// </summary>
public sealed partial class CallRouter : IDisposable
{
    private volatile CallFlowContext _ctx; // Replaced by a configuration reload; each call keeps the one it started with.
    private readonly ConcurrentDictionary<string, InboundCallFlow> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly CancellationTokenSource _stopping = new();

    public CallRouter(CallFlowContext ctx)
    {
        _ctx = ctx;
        ctx.Telephony.IncomingCall += OnIncomingCall;
    }

    /// <summary>Raised when a call's flow has finished (after its CallEnded event).</summary>
    public event Action<InboundCallFlow>? CallFinished;

    /// <summary>A call event for one agent's desktop (consult started, department joined, transfer failed).</summary>
    public event Action<string, Contracts.V1.CallEvent>? AgentCallEvent;

    public int ActiveCalls => _calls.Count;

    /// <summary>What new calls start with (the configuration as last reloaded).</summary>
    public CallFlowContext Context => _ctx;

    /// <summary>
    /// A reloaded configuration (issue 20): calls that arrive from now on start with <paramref name="next"/>; a call in
    /// progress finishes with the context it started with (its greeting, menu, timeouts).
    /// </summary>
    public void Reconfigure(Func<CallFlowContext, CallFlowContext> next) => _ctx = next(_ctx);

    /// <summary>Takes an agent's INVITE to an outside number (outbound call from the softphone); false = not such a call.</summary>
    public Func<ICallLeg, bool>? AgentDial { get; init; }

    public InboundCallFlow? Find(string callId) => _calls.GetValueOrDefault(callId);

    /// <summary>The call an agent is on (ringing excluded).</summary>
    public InboundCallFlow? FindByAgent(string agentId) => _calls.Values.FirstOrDefault(c => c.AgentId == agentId);

    /// <summary>The calls in progress now (the operator console's <c>calls</c>, issue 20).</summary>
    public IReadOnlyList<InboundCallFlow> Calls => _calls.Values.ToList();

    private void OnIncomingCall(object? sender, IncomingCallEventArgs e)
    {
        var leg = e.Leg;
        var ctx = _ctx; // One context for the whole call, even if a reload replaces it meanwhile.
        if (leg.DialedNumber == ctx.Options.HotlineNumber)
        {
            var flow = new InboundCallFlow(ctx, leg);
            flow.AgentNotice += (agentId, evt) => AgentCallEvent?.Invoke(agentId, evt);
            _calls[flow.CallId] = flow;
            Track(RunFlowAsync(flow));
            return;
        }
        if (AgentDial?.Invoke(leg) == true) return;
        Track(HandleFeatureCodeAsync(leg));
    }

    private async Task RunFlowAsync(InboundCallFlow flow)
    {
        await Task.Yield(); // Never run a call's flow on the SIP stack's thread.
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

    /// <summary>Feature codes from an agent's phone: sign in/out, ready, not ready (reason "phone").</summary>
    private async Task HandleFeatureCodeAsync(ICallLeg leg)
    {
        await Task.Yield();
        var codes = _ctx.Options.FeatureCodes;
        var agent = _ctx.Roster.FindByUser(leg.RemoteUser);
        Func<string, AgentSnapshot>? action = leg.DialedNumber switch
        {
            var n when n == codes.SignIn => id => _ctx.Roster.SignIn(id, ready: true),
            var n when n == codes.SignOut => _ctx.Roster.SignOut,
            var n when n == codes.Ready => _ctx.Roster.SetReady,
            var n when n == codes.NotReady => id => _ctx.Roster.SetNotReady(id, "phone"),
            _ => null,
        };
        try
        {
            if (action is null || agent is null)
            {
                LogRefused(_ctx.Logger, leg.DialedNumber);
                await leg.RejectAsync(404, _stopping.Token);
                return;
            }
            var ok = true;
            try
            {
                action(agent.Id);
            }
            catch (AgentTransitionException ex)
            {
                ok = false;
                LogFeatureRefused(_ctx.Logger, agent.Id, ex.Message);
            }
            await leg.AnswerAsync(_stopping.Token);
            await leg.PlayAsync(_ctx.Prompts.Prompt(ok ? PromptNames.FeatureOk : PromptNames.FeatureFailed), _stopping.Token);
            await leg.HangupAsync(_stopping.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or TimeoutException)
        {
            LogFeatureFailed(_ctx.Logger, ex.Message);
        }
    }

    private void Track(Task task)
    {
        _running[task] = 0;
        _ = task.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Stops every flow (engine shutdown) and waits for them to record their end.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_running.Keys).WaitAsync(grace).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public void Dispose()
    {
        _ctx.Telephony.IncomingCall -= OnIncomingCall;
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Incoming call to {Dialed} refused: not the hotline number nor a feature code of a known agent")]
    private static partial void LogRefused(ILogger logger, string dialed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Feature code refused for agent {AgentId}: {Reason}")]
    private static partial void LogFeatureRefused(ILogger logger, string agentId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feature code call failed: {Error}")]
    private static partial void LogFeatureFailed(ILogger logger, string error);
}
