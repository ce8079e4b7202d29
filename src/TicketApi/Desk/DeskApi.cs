using System.Security.Claims;
using Grpc.Core;
using Hotline.Contracts.V1;
using Hotline.TicketApi.Api;
using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.Engine;
using Hotline.TicketApi.WorkOrders;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hotline.TicketApi.Desk;

/// <summary>
/// <c>/console/api/desk</c> (issue 17): the agent's desk. Every request acts as the agent id the key is bound to
/// (<see cref="ApiKey.AgentId"/>) and nobody else: the browser never names an agent, and call control always targets
/// the agent's own current call (the engine resolves it from the agent id).
/// </summary>
public static class DeskApi
{
    public sealed record DeskView(string AgentId, IReadOnlyList<string> NotReadyReasons, IReadOnlyList<DeskDepartment> Departments, PhoneView? Phone);

    /// <summary>Where the desk's phone registers (null: no phone configured). Never a password.</summary>
    public sealed record PhoneView(string WebSocketUrl, string Domain, string? User);
    public sealed record NotReadyBody(string? Reason);
    public sealed record ConsultBody(string? DepartmentId, bool HoldCaller = true);
    public sealed record StateView(string AgentId, string Status, string Reason, string CallId);
    public sealed record ControlView(bool Ok, string CallId);
    public sealed record CallOrderBody(
        string? Content, string? Nature, string? Category, string? Address, string? CallerName, string? CallerNumber,
        bool Major = false, bool Emergency = false);

    public static IServiceCollection AddDesk(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DeskOptions>().Bind(configuration.GetSection(DeskOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AgentDesks>();
        services.AddSingleton<DeskEngine>();
        return services;
    }

    public static void MapDeskApi(this IEndpointRouteBuilder app)
    {
        var desk = app.MapGroup("/console/api/desk").WithTags("Desk").RequireAuthorization(Policies.Hotline);
        desk.MapGet("/", Get);
        desk.MapGet("/events", EventsAsync);
        desk.MapPost("/state/{action}", StateAsync);
        desk.MapPost("/call/{action}", ControlAsync);
        desk.MapPost("/orders/{id:long}/call", CallBackAsync);
        desk.MapGet("/calls/{callId}/order", GetOrderAsync);
        desk.MapPut("/calls/{callId}/order", SaveOrderAsync);
    }

    private static ProblemHttpResult NotBound() => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden,
        title: "No desk for this key", detail: "This key is not bound to an agent: ask an admin for an agent key with an agentId.");

    private static Results<Ok<DeskView>, ProblemHttpResult> Get(ClaimsPrincipal user, IOptions<DeskOptions> options) =>
        user.AgentIdOf() is { } agent
            ? TypedResults.Ok(new DeskView(agent, options.Value.NotReadyReasons, options.Value.Departments, Phone(options.Value.Phone, agent)))
            : NotBound();

    private static PhoneView? Phone(DeskPhoneOptions phone, string agent) => phone.Enabled
        ? new PhoneView(phone.WebSocketUrl, phone.EffectiveDomain, phone.Users.GetValueOrDefault(agent))
        : null;

    /// <summary>Server-sent events of the agent's own feed (see <see cref="DeskMessage"/>); read with fetch() so the key stays in a header.</summary>
    private static async Task EventsAsync(HttpContext context, AgentDesks desks)
    {
        if (context.User.AgentIdOf() is not { } agent)
        {
            await NotBound().ExecuteAsync(context);
            return;
        }
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(context.RequestAborted);
        try
        {
            await foreach (var message in desks.For(agent).WatchAsync(context.RequestAborted))
            {
                await response.WriteAsync("data: " + message + "\n\n", context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The browser went away.
        }
    }

    private static async Task<Results<Ok<StateView>, ValidationProblem, ProblemHttpResult>> StateAsync(
        string action, NotReadyBody? body, ClaimsPrincipal user, DeskEngine engine, IOptions<DeskOptions> options, CancellationToken ct)
    {
        if (user.AgentIdOf() is not { } agent) return NotBound();
        if (action == "not-ready" && (body?.Reason is not { } reason || !options.Value.NotReadyReasons.Contains(reason, StringComparer.Ordinal)))
        {
            var v = new Validation();
            v.Add("reason", $"reason must be one of: {string.Join(", ", options.Value.NotReadyReasons)}.");
            return v.Problem();
        }
        Func<Cti.CtiClient, CallOptions, AsyncUnaryCall<AgentStateReply>>? request = action switch
        {
            "sign-in" => (c, o) => c.SignInAsync(new SignInRequest { AgentId = agent, Ready = false }, o),
            "sign-out" => (c, o) => c.SignOutAsync(new AgentRequest { AgentId = agent }, o),
            "ready" => (c, o) => c.SetReadyAsync(new AgentRequest { AgentId = agent }, o),
            "not-ready" => (c, o) => c.SetNotReadyAsync(new NotReadyRequest { AgentId = agent, Reason = body!.Reason }, o),
            "wrap-up-done" => (c, o) => c.CompleteWrapUpAsync(new AgentRequest { AgentId = agent }, o),
            _ => null,
        };
        if (request is null) return UnknownAction(action, "sign-in, sign-out, ready, not-ready, wrap-up-done");
        try
        {
            var reply = await engine.AsAgentAsync(agent, request, ct);
            return TypedResults.Ok(new StateView(reply.AgentId, DeskMessage.Short(reply.Status), reply.Reason, reply.CallId));
        }
        catch (RpcException ex)
        {
            return EngineRefused(ex);
        }
    }

    private static async Task<Results<Ok<ControlView>, ValidationProblem, ProblemHttpResult>> ControlAsync(
        string action, ConsultBody? body, ClaimsPrincipal user, DeskEngine engine, IOptions<DeskOptions> options, CancellationToken ct)
    {
        if (user.AgentIdOf() is not { } agent) return NotBound();
        // Empty call id: the engine acts on the agent's own current call, never on one the browser names.
        var own = new CallControlRequest { AgentId = agent };
        if (action == "consult" && (body?.DepartmentId is not { } department || options.Value.Departments.All(d => d.Id != department)))
        {
            var v = new Validation();
            v.Add("departmentId", $"departmentId must be one of: {string.Join(", ", options.Value.Departments.Select(d => d.Id))}.");
            return v.Problem();
        }
        Func<Cti.CtiClient, CallOptions, AsyncUnaryCall<CallControlReply>>? request = action switch
        {
            "hold" => (c, o) => c.HoldAsync(own, o),
            "resume" => (c, o) => c.ResumeAsync(own, o),
            "hang-up" => (c, o) => c.HangupAsync(own, o),
            "survey" => (c, o) => c.TransferToSurveyAsync(own, o),
            "silent" => (c, o) => c.EndSilentCallAsync(own, o),
            "complete-transfer" => (c, o) => c.CompleteTransferAsync(own, o),
            "consult" => (c, o) => c.ConsultDepartmentAsync(new ConsultRequest { AgentId = agent, DepartmentId = body!.DepartmentId, HoldCaller = body.HoldCaller }, o),
            _ => null,
        };
        if (request is null) return UnknownAction(action, "hold, resume, hang-up, survey, silent, complete-transfer, consult");
        try
        {
            var reply = (await engine.AsAgentAsync(agent, request, ct)).EnsureDone();
            return TypedResults.Ok(new ControlView(true, reply.CallId));
        }
        catch (RpcException ex) when (ex.IsCommandRefusal())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The engine refused", detail: ex.Status.Detail);
        }
        catch (RpcException ex)
        {
            return EngineRefused(ex);
        }
    }

    /// <summary>Outbound: ring the agent, then the order's caller (DOMAIN.md callback); the call is recorded on the order.</summary>
    private static async Task<Results<Ok<ControlView>, ValidationProblem, ProblemHttpResult>> CallBackAsync(
        long id, ClaimsPrincipal user, DeskEngine engine, TicketDbContext db, CancellationToken ct)
    {
        if (user.AgentIdOf() is not { } agent) return NotBound();
        var order = await db.WorkOrders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, ct);
        if (order is null) return WorkOrderSteps.NotFound(id);
        if (string.IsNullOrWhiteSpace(order.CallerNumber))
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "No number", detail: $"Order {order.Number} has no number to call.");
        try
        {
            var reply = (await engine.AsAgentAsync(agent, (c, o) => c.DialAsync(new DialRequest { AgentId = agent, Number = order.CallerNumber, WorkOrderId = order.Number }, o), ct)).EnsureDone();
            return TypedResults.Ok(new ControlView(true, reply.CallId));
        }
        catch (RpcException ex) when (ex.IsCommandRefusal())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The engine did not place the call", detail: ex.Status.Detail);
        }
        catch (RpcException ex)
        {
            return EngineRefused(ex);
        }
    }

    private static async Task<Results<Ok<WorkOrderView>, ProblemHttpResult>> GetOrderAsync(
        string callId, ClaimsPrincipal user, AgentDesks desks, TicketDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (user.AgentIdOf() is not { } agent) return NotBound();
        var order = await DeskOrders.FindAsync(db, callId, ct);
        if (order is null) return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No order yet", detail: $"No order is bound to call {callId} yet.");
        return TypedResults.Ok(WorkOrderView.From(order, user.ToActor(), time.GetUtcNow().UtcDateTime));
    }

    /// <summary>
    /// Registers the call's order, or fills the one already bound to it (found by call id: the one the ingest opens when
    /// the call's events arrive, or the one saved earlier on this desk). Only a call popped on this agent's desk, or
    /// one the store says this agent answered.
    /// </summary>
    private static async Task<Results<Ok<WorkOrderView>, Created<WorkOrderView>, ValidationProblem, ProblemHttpResult>> SaveOrderAsync(
        string callId, CallOrderBody body, ClaimsPrincipal user, AgentDesks desks, TicketDbContext db, DeadlineRules rules,
        IOptions<CatalogueOptions> catalogue, TimeProvider time, CancellationToken ct)
    {
        if (user.AgentIdOf() is not { } agent) return NotBound();
        var v = new Validation();
        v.MaxLength(body.Content, "content", 4000);
        var nature = catalogue.Value.FindNature(body.Nature);
        if (!string.IsNullOrEmpty(body.Nature) && nature is null) v.Add("nature", $"nature '{body.Nature}' is not in the catalogue.");
        if (!string.IsNullOrEmpty(body.Category) && !catalogue.Value.IsCategory(body.Category)) v.Add("category", $"category '{body.Category}' is not in the catalogue.");
        v.MaxLength(body.CallerName, "callerName", 200);
        v.MaxLength(body.CallerNumber, "callerNumber", 40);
        v.MaxLength(body.Address, "address", 400);
        if (v.HasErrors) return v.Problem();
        var popped = desks.For(agent).Popped(callId);
        if (popped is null && !await db.Calls.AsNoTracking().AnyAsync(c => c.CallId == callId && (c.AgentId == agent || c.FirstResponderAgentId == agent), ct))
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your call",
                detail: $"Call {callId} was not offered to agent {agent}: an order is bound only to the agent's own call.");
        var actor = user.ToActor();
        var now = time.GetUtcNow().UtcDateTime;
        var category = string.IsNullOrEmpty(body.Category) ? null : body.Category;
        try
        {
            var order = await DeskOrders.FindAsync(db, callId, ct);
            if (order is null)
            {
                order = WorkOrder.Register(new NewWorkOrder(WorkOrderKind.Matter, Channel.Phone, body.Content, category,
                    body.CallerName, body.CallerNumber ?? popped?.CallerNumber, body.Address, body.Major, body.Emergency, callId, agent),
                    nature ?? catalogue.Value.FindNature(popped?.Nature), rules, now, actor);
                db.WorkOrders.Add(order);
                await db.SaveChangesAsync(ct);
                return TypedResults.Created($"/api/workorders/{order.Id}", WorkOrderView.From(order, actor, now));
            }
            order.Classify(nature, category, body.Content, body.Major, now, actor);
            order.DescribeCaller(body.CallerName, body.CallerNumber, body.Address, now, actor);
            order.TakeOwnership(agent);
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(WorkOrderView.From(order, actor, now));
        }
        catch (WorkOrderRuleException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The order cannot be changed now.", detail: ex.Message);
        }
        catch (DbUpdateConcurrencyException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Changed meanwhile", detail: "The order was changed by someone else meanwhile; reload and try again.");
        }
    }

    private static ProblemHttpResult UnknownAction(string action, string known) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "No such action", detail: $"'{action}' is not a desk action ({known}).");

    /// <summary>gRPC refusals as the page shows them: the agent's state forbids it (409), away (503), credential refused (502).</summary>
    private static ProblemHttpResult EngineRefused(RpcException ex) => ex.StatusCode switch
    {
        StatusCode.FailedPrecondition or StatusCode.InvalidArgument => TypedResults.Problem(statusCode: 409, title: "Not now", detail: ex.Status.Detail),
        StatusCode.NotFound => TypedResults.Problem(statusCode: 404, title: "Unknown agent", detail: ex.Status.Detail),
        StatusCode.PermissionDenied or StatusCode.Unauthenticated => TypedResults.Problem(statusCode: 502, title: "The engine refused TicketApi",
            detail: "The engine refused TicketApi's credential (AcdEngine:ServiceKey): " + ex.Status.Detail),
        _ => TypedResults.Problem(statusCode: 503, title: "AcdEngine away", detail: "The call engine cannot be reached: " + ex.Status.Detail),
    };
}

/// <summary>The order bound to a call: the one matter order registered for it (desk or ingest).</summary>
public static class DeskOrders
{
    public static Task<WorkOrder?> FindAsync(TicketDbContext db, string callId, CancellationToken ct) =>
        db.WorkOrders.Where(o => o.CallId == callId && o.Kind == WorkOrderKind.Matter).OrderBy(o => o.Id).FirstOrDefaultAsync(ct);
}
