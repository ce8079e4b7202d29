using Hotline.TicketApi.Api;
using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Calendar;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hotline.TicketApi.AfterCall;

/// <summary>The request to place a call: which agent takes it.</summary>
public sealed record PlaceCallRequest(string? AgentId);

/// <summary>What was placed: the engine's call id and the order it is recorded on.</summary>
public sealed record PlacedCallView(string CallId, long WorkOrderId, string WorkOrderNumber);

/// <summary>
/// <c>GET /api/abandoned</c> (the list, <c>toCallBack=true</c> for those still to return), <c>POST
/// /api/abandoned/{callId}/return</c> and <c>POST /api/workorders/{id}/call</c>: the engine rings the agent, then the
/// caller; the outbound call carries the order's number and is recorded on the order when it ends (issue 10).
/// </summary>
public static class AfterCallApi
{
    public static IEndpointRouteBuilder MapAfterCallApi(this IEndpointRouteBuilder app)
    {
        var abandoned = app.MapGroup("/api/abandoned").WithTags("Abandoned calls").RequireAuthorization(Policies.Hotline);
        abandoned.MapGet("/", ListAsync);
        abandoned.MapPost("/{callId}/return", ReturnAsync);
        app.MapPost("/api/workorders/{id:long}/call", CallAsync).WithTags("Work orders").RequireAuthorization(Policies.Hotline);
        return app;
    }

    public static async Task<Results<Ok<PageOf<AbandonedCallView>>, ValidationProblem>> ListAsync(
        TicketDbContext db, WorkingCalendar calendar, TimeProvider time, CancellationToken ct,
        DateTime? from = null, DateTime? to = null, bool? toCallBack = null, int page = 1, int pageSize = 50)
    {
        var v = new Validation();
        if (from > to) v.Add("from", "from must not be after to.");
        if (page < 1) v.Add("page", "page must be 1 or more.");
        if (pageSize is < 1 or > WorkOrdersApi.MaxPageSize) v.Add("pageSize", $"pageSize must be 1 to {WorkOrdersApi.MaxPageSize}.");
        if (v.HasErrors) return v.Problem();
        var now = time.GetUtcNow().UtcDateTime;
        var t = to?.ToUniversalTime() ?? now.AddSeconds(1);
        var f = from?.ToUniversalTime() ?? t.AddDays(-7);
        var all = await AbandonedCalls.ListAsync(db, calendar, f, t, ct);
        var filtered = toCallBack is { } want ? all.Where(a => a.ToCallBack == want).ToList() : all;
        var items = filtered.Skip((page - 1) * pageSize).Take(pageSize).ToList();
        return TypedResults.Ok(new PageOf<AbandonedCallView>(items, page, pageSize, filtered.Count));
    }

    /// <summary>Return an abandoned call: its return-call order's number goes with the dial.</summary>
    public static async Task<Results<Accepted<PlacedCallView>, ValidationProblem, ProblemHttpResult>> ReturnAsync(
        string callId, PlaceCallRequest body, TicketDbContext db, WorkingCalendar calendar, ICallPlacer placer, CancellationToken ct)
    {
        var v = new Validation();
        v.Require(body.AgentId, "agentId", 64);
        if (v.HasErrors) return v.Problem();
        var call = await db.Calls.AsNoTracking().FirstOrDefaultAsync(c => c.CallId == callId, ct);
        if (call?.AbandonedAt is null) return TypedResults.Problem($"No abandoned call '{callId}'.", statusCode: 404);
        // The window is 1 ms wide, not a tick: PostgreSQL keeps microseconds, so "< at + 1 tick" would round to "< at".
        var view = (await AbandonedCalls.ListAsync(db, calendar, call.AbandonedAt.Value, call.AbandonedAt.Value.AddMilliseconds(1), ct))
            .FirstOrDefault(a => a.CallId == callId);
        if (view?.WorkOrderId is not { } orderId) return TypedResults.Problem($"Call '{callId}' has no return-call order yet (its events are still arriving).", statusCode: 409);
        if (view.CalledBack) return TypedResults.Problem($"Call '{callId}' was already returned at {view.CalledBackAt:u} (call {view.CallbackCallId}).", statusCode: 409);
        var order = await db.WorkOrders.AsNoTracking().FirstAsync(o => o.Id == orderId, ct);
        return await PlaceAsync(order, body.AgentId!, placer, ct);
    }

    /// <summary>Call the caller of any order back (DOMAIN.md step 7); the call is recorded on the order.</summary>
    public static async Task<Results<Accepted<PlacedCallView>, ValidationProblem, ProblemHttpResult>> CallAsync(
        long id, PlaceCallRequest body, TicketDbContext db, ICallPlacer placer, CancellationToken ct)
    {
        var v = new Validation();
        v.Require(body.AgentId, "agentId", 64);
        if (v.HasErrors) return v.Problem();
        var order = await db.WorkOrders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, ct);
        if (order is null) return TypedResults.Problem($"No work order {id}.", statusCode: 404);
        return await PlaceAsync(order, body.AgentId!, placer, ct);
    }

    private static async Task<Results<Accepted<PlacedCallView>, ValidationProblem, ProblemHttpResult>> PlaceAsync(
        WorkOrder order, string agentId, ICallPlacer placer, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(order.CallerNumber))
            return TypedResults.Problem($"Order {order.Number} has no number to call.", statusCode: 409);
        var placed = await placer.DialAsync(agentId, order.CallerNumber, order.Number, ct);
        if (placed.EngineUnavailable) return TypedResults.Problem(placed.Error, statusCode: 503);
        if (!placed.Ok) return TypedResults.Problem(placed.Error, statusCode: 409, title: "The engine did not place the call.");
        return TypedResults.Accepted($"/api/calls/{placed.CallId}", new PlacedCallView(placed.CallId, order.Id, order.Number));
    }
}
