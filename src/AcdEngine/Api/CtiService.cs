using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Outbound;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Stats;
using Hotline.AcdEngine.Security;
using Hotline.Contracts.V1;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Api;

/// <summary>
/// The CTI gRPC service (cti.proto): a thin adaptor from messages to the roster and the call flows. Call control finds
/// the agent's call once (<see cref="ICallControl"/>, inbound or outbound) and acts through it; every refusal is a gRPC
/// status (<see cref="CtiStatus"/>), never an OK reply.
/// </summary>
public sealed class CtiService(
    AgentRoster roster, CallRouter router, LiveStats stats, AgentEventRecorder agentEvents, TimeProvider time, OutboundDialer outbound,
    IOptions<SupervisorsOptions> supervisors, IHostApplicationLifetime lifetime, AgentNames names) : Contracts.V1.Cti.CtiBase
{
    public override Task<AgentStateReply> SignIn(SignInRequest request, ServerCallContext context) =>
        Task.FromResult(Reply(Guard(() => roster.SignIn(request.AgentId, request.Ready))));

    public override Task<AgentStateReply> SignOut(AgentRequest request, ServerCallContext context) =>
        Task.FromResult(Reply(Guard(() => roster.SignOut(request.AgentId))));

    public override Task<AgentStateReply> SetReady(AgentRequest request, ServerCallContext context) =>
        Task.FromResult(Reply(Guard(() => roster.SetReady(request.AgentId))));

    public override Task<AgentStateReply> SetNotReady(NotReadyRequest request, ServerCallContext context) =>
        Task.FromResult(Reply(Guard(() => roster.SetNotReady(request.AgentId, request.Reason))));

    public override Task<AgentStateReply> GetAgentState(AgentRequest request, ServerCallContext context) =>
        Task.FromResult(Reply(Guard(() => roster.Get(request.AgentId))));

    public override Task<AgentStateReply> CompleteWrapUp(AgentRequest request, ServerCallContext context) =>
        Task.FromResult(Reply(Guard(() => roster.CompleteWrapUp(request.AgentId))));

    public override Task<CallControlReply> Hold(CallControlRequest request, ServerCallContext context) =>
        Task.FromResult(Control(request, (call, agent) => call.Hold(agent)));

    public override Task<CallControlReply> Resume(CallControlRequest request, ServerCallContext context) =>
        Task.FromResult(Control(request, (call, agent) => call.Resume(agent)));

    public override Task<CallControlReply> Hangup(CallControlRequest request, ServerCallContext context) =>
        ControlAsync(request, (call, agent) => call.HangupByAgentAsync(agent, context.CancellationToken));

    /// <summary>The agent leaves; the caller (or the called party of an outbound call) rates the service (issue 10).</summary>
    public override Task<CallControlReply> TransferToSurvey(CallControlRequest request, ServerCallContext context) =>
        ControlAsync(request, (call, agent) => call.TransferToSurveyAsync(agent, context.CancellationToken));

    /// <summary>Silent caller (DOMAIN.md): the closing prompt to the caller, then the call ends. Refusals (NotFound without an inbound call) change nothing.</summary>
    public override Task<CallControlReply> EndSilentCall(CallControlRequest request, ServerCallContext context) =>
        ControlAsync(request, (call, agent) => call.EndSilentCallAsync(agent, context.CancellationToken), ICallControl.NoSuchInboundCall);

    /// <summary>Click-to-call: ring the agent, then the number, and bridge them. Refusals change nothing.</summary>
    public override Task<CallControlReply> Dial(DialRequest request, ServerCallContext context)
    {
        var outcome = outbound.Dial(request.AgentId, request.Number, request.WorkOrderId);
        return outcome.Ok ? Task.FromResult(CtiStatus.Done(outcome.CallId)) : throw CtiStatus.Refused(outcome);
    }

    public override async Task WatchAgent(AgentRequest request, IServerStreamWriter<AgentNotification> responseStream, ServerCallContext context)
    {
        var current = Guard(() => roster.Get(request.AgentId));
        var channel = Channel.CreateBounded<AgentNotification>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        void OnEvent(AgentEvent e)
        {
            if (e.AgentId != request.AgentId) return;
            channel.Writer.TryWrite(new AgentNotification { State = e, WrapUpSeconds = names.WrapUpSeconds, AgentName = names.Of(e.AgentId) });
            if (e.Status is AgentStatus.Ringing && router.Find(e.CallId) is { } flow)
            {
                channel.Writer.TryWrite(new AgentNotification
                {
                    ScreenPop = new ScreenPop
                    {
                        CallId = flow.CallId, CallerNumber = flow.CallerNumber, CallerName = flow.CallerName, Queue = flow.Queue,
                        IvrDigits = flow.IvrDigits, Nature = flow.Nature, Direction = CallDirection.Inbound,
                        WaitMs = flow.QueuedAt is { } queued ? (uint)Math.Max(0, (time.GetUtcNow() - queued).TotalMilliseconds) : 0,
                    },
                });
            }
            else if (e.Status is AgentStatus.Ringing && outbound.Find(e.CallId) is { } call)
            {
                channel.Writer.TryWrite(new AgentNotification
                {
                    ScreenPop = new ScreenPop { CallId = call.CallId, CallerNumber = call.Number, Queue = call.Queue, Direction = CallDirection.Outbound },
                });
            }
        }
        void OnCallEvent(string agentId, CallEvent e)
        {
            if (agentId == request.AgentId) channel.Writer.TryWrite(new AgentNotification { Call = e });
        }
        agentEvents.Recorded += OnEvent;
        router.AgentCallEvent += OnCallEvent;
        try
        {
            await responseStream.WriteAsync(new AgentNotification
            {
                State = new AgentEvent
                {
                    AgentId = current.Id, Status = current.State.ToContract(), PreviousStatus = current.State.ToContract(),
                    Reason = current.Reason, CallId = current.CallId ?? "", OccurredAt = Timestamp.FromDateTimeOffset(current.Since),
                },
                WrapUpSeconds = names.WrapUpSeconds, AgentName = names.Of(current.Id),
            });
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
            await foreach (var n in channel.Reader.ReadAllAsync(ended.Token))
                await responseStream.WriteAsync(n);
        }
        catch (OperationCanceledException)
        {
            // The desktop went away.
        }
        finally
        {
            agentEvents.Recorded -= OnEvent;
            router.AgentCallEvent -= OnCallEvent;
        }
    }

    /// <summary>Live figures pushed on change (coalesced) plus a 1 s heartbeat: see <see cref="StatsPush"/>.</summary>
    public override async Task WatchStats(WatchStatsRequest request, IServerStreamWriter<StatsSnapshot> responseStream, ServerCallContext context)
    {
        var filter = request.Queues.ToHashSet(StringComparer.Ordinal);
        using var push = new StatsPush(stats, time);
        // Ends when the host stops too: a wallboard's endless stream must not hold the shutdown (issue 20).
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await push.RunAsync((view, ct) => responseStream.WriteAsync(ToContract(view, filter, names), ct), ended.Token);
        }
        catch (OperationCanceledException)
        {
            // The wallboard went away, or the engine is stopping.
        }
    }

    public override Task<CallControlReply> ConsultDepartment(ConsultRequest request, ServerCallContext context) =>
        Task.FromResult(Control(new CallControlRequest { AgentId = request.AgentId, CallId = request.CallId },
            (call, agent) => call.ConsultDepartment(agent, request.DepartmentId, request.HoldCaller)));

    public override Task<CallControlReply> CompleteTransfer(CallControlRequest request, ServerCallContext context) =>
        ControlAsync(request, (call, agent) => call.CompleteTransferAsync(agent, context.CancellationToken));

    /// <summary>
    /// Rings a configured supervisor account only (<c>Supervisors</c>), never a URI the request names: a supervisor
    /// rings their own phone (empty <c>supervisor_user</c> = theirs), an admin any configured supervisor's.
    /// </summary>
    public override Task<CallControlReply> Monitor(MonitorRequest request, ServerCallContext context)
    {
        var account = MonitorAccount(request.SupervisorUser, context.GetHttpContext().User);
        if (request.Mode is not (MonitorMode.Listen or MonitorMode.Whisper or MonitorMode.Barge))
            throw CtiStatus.Refused(ControlOutcome.BadArgument("mode must be listen, whisper or barge."));
        if (router.Find(request.CallId) is not { } flow) throw CtiStatus.Refused(ControlOutcome.NoSuchCall("No such call in progress."));
        var ok = flow.Monitor(account.SipUser, request.Mode, out var error);
        return Task.FromResult(CtiStatus.Reply(flow.CallId, ((ControlOutcome)(ok, error)).OrEnded(flow)));
    }

    private SupervisorAccount MonitorAccount(string requested, System.Security.Claims.ClaimsPrincipal user)
    {
        var configured = supervisors.Value;
        if (user.Role() == ApiRoles.Supervisor)
        {
            var own = configured.ByName(user.Identity?.Name)
                ?? throw new RpcException(new Status(StatusCode.PermissionDenied, $"No phone is configured for supervisor '{user.Identity?.Name}' (Supervisors)."));
            if (requested.Length > 0 && requested != own.SipUser && requested != own.Name)
                throw new RpcException(new Status(StatusCode.PermissionDenied, "A supervisor monitors from their own phone only."));
            return own;
        }
        return configured.Find(requested)
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "supervisor_user must name a configured supervisor account (Supervisors), never a URI."));
    }

    internal static StatsSnapshot ToContract(StatsView view, IReadOnlySet<string> queues, AgentNames? names = null)
    {
        var snapshot = new StatsSnapshot { At = Timestamp.FromDateTimeOffset(view.At), NodeId = view.NodeId };
        foreach (var q in view.Queues.Where(q => queues.Count == 0 || queues.Contains(q.Queue)))
        {
            snapshot.Queues.Add(new QueueStats
            {
                Queue = q.Queue, Waiting = (uint)q.Waiting, LongestWaitMs = (uint)q.LongestWaitMs,
                AgentsReady = (uint)q.AgentsReady, AgentsRinging = (uint)q.AgentsRinging, AgentsTalking = (uint)q.AgentsTalking,
                AgentsWrapUp = (uint)q.AgentsWrapUp, AgentsNotReady = (uint)q.AgentsNotReady,
                OfferedToday = (uint)q.OfferedToday, AnsweredToday = (uint)q.AnsweredToday, AbandonedToday = (uint)q.AbandonedToday,
                AnsweredWithinSlToday = (uint)q.AnsweredWithinServiceLevelToday, ServiceLevelToday = q.ServiceLevelToday,
                ServiceLevel15M = q.ServiceLevel15m, AverageSpeedOfAnswerMs = (uint)q.AverageSpeedOfAnswerMs, ServiceLevelMs = (uint)q.ServiceLevelMs,
            });
        }
        foreach (var a in view.Agents)
        {
            snapshot.Agents.Add(new AgentStats
            {
                AgentId = a.AgentId, Status = a.Status.ToContract(), Reason = a.Reason, Since = Timestamp.FromDateTimeOffset(a.Since),
                CallsHandledToday = (uint)a.CallsHandledToday, CallId = a.CallId ?? "", Name = names?.Of(a.AgentId) ?? "",
            });
        }
        return snapshot;
    }

    private CallControlReply Control(CallControlRequest request, Func<ICallControl, string, ControlOutcome> act) =>
        FindControl(request) is { } call
            ? CtiStatus.Reply(call.CallId, act(call, request.AgentId).OrEnded(call))
            : throw CtiStatus.Refused(ControlOutcome.NoSuchCall());

    private async Task<CallControlReply> ControlAsync(
        CallControlRequest request, Func<ICallControl, string, Task<ControlOutcome>> act, string noSuchCall = ICallControl.NoSuchCall)
    {
        if (FindControl(request) is not { } call) throw CtiStatus.Refused(ControlOutcome.NoSuchCall(noSuchCall));
        return CtiStatus.Reply(call.CallId, (await act(call, request.AgentId)).OrEnded(call));
    }

    /// <summary>The agent's call, looked up once: by id when given, else the agent's current call; inbound first, as before.</summary>
    private ICallControl? FindControl(CallControlRequest request) => string.IsNullOrEmpty(request.CallId)
        ? (ICallControl?)router.FindByAgent(request.AgentId) ?? outbound.FindByAgent(request.AgentId)
        : (ICallControl?)router.Find(request.CallId) ?? outbound.Find(request.CallId);

    private static AgentStateReply Reply(AgentSnapshot a) => new()
    {
        AgentId = a.Id, Status = a.State.ToContract(), Reason = a.Reason, Since = Timestamp.FromDateTimeOffset(a.Since), CallId = a.CallId ?? "",
    };

    /// <summary>Domain refusals become gRPC statuses a desktop can show: unknown agent, illegal transition, bad input.</summary>
    private static T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (UnknownAgentException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }
        catch (AgentTransitionException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, ex.Message));
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }
}
