using System.Security.Claims;
using Hotline.TicketApi.Api;
using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;

namespace Hotline.TicketApi.Recordings;

/// <summary>
/// An order's recording (issue 17), authorised per role (<see cref="RecordingAccess"/>), every listen in the order's audit
/// trail, streamed from the engine with range support:
/// <list type="bullet">
/// <item><c>GET /api/workorders/{id}/recording</c> with the key (API clients): a listen is audited when playback starts
/// (no <c>Range</c>, or one from byte 0), not for each seek.</item>
/// <item><c>POST /api/workorders/{id}/recording/ticket</c> → <c>{url}</c>: the console's player; the listen is audited once,
/// here, and <c>GET /api/recordings/play/{ticket}</c> streams that recording only.</item>
/// </list>
/// </summary>
public static partial class RecordingsApi
{
    public sealed record TicketView(string Url, DateTimeOffset Expires);

    public static IServiceCollection AddRecordings(this IServiceCollection services)
    {
        services.AddSingleton<ListenTickets>();
        services.AddSingleton<RecordingProxy>();
        return services;
    }

    public static void MapRecordingsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/workorders/{id:long}/recording", StreamAsync).WithTags("Work orders").RequireAuthorization(Policies.AnyRole);
        app.MapPost("/api/workorders/{id:long}/recording/ticket", TicketAsync).WithTags("Work orders").RequireAuthorization(Policies.AnyRole);
        // The ticket is the authorisation (checked per request); an unknown or expired ticket gets 404.
        app.MapGet("/api/recordings/play/{ticket}", PlayAsync).WithTags("Work orders").AllowAnonymous();
    }

    private static async Task StreamAsync(long id, HttpContext http, TicketDbContext db, RecordingProxy proxy, TimeProvider time, ILoggerFactory logs)
    {
        var (order, callId, refusal) = await AuthoriseAsync(id, http.User, db, http.RequestAborted);
        if (refusal is not null)
        {
            await refusal.ExecuteAsync(http);
            return;
        }
        var range = http.Request.Headers.Range.ToString();
        if (range.Length == 0 || range.StartsWith("bytes=0-", StringComparison.Ordinal))
            await AuditListenAsync(db, order!, callId!, http.User.ToActor(), time, logs);
        await proxy.ProxyAsync(http, callId!);
    }

    private static async Task<IResult> TicketAsync(long id, ClaimsPrincipal user, TicketDbContext db, ListenTickets tickets, TimeProvider time, ILoggerFactory logs, CancellationToken ct)
    {
        var (order, callId, refusal) = await AuthoriseAsync(id, user, db, ct);
        if (refusal is not null) return refusal;
        var actor = user.ToActor();
        await AuditListenAsync(db, order!, callId!, actor, time, logs);
        var ticket = tickets.Issue(order!.Id, callId!, actor.Id);
        return TypedResults.Ok(new TicketView("/api/recordings/play/" + ticket, time.GetUtcNow() + ListenTickets.Lifetime));
    }

    private static async Task PlayAsync(string ticket, HttpContext http, ListenTickets tickets, RecordingProxy proxy)
    {
        if (tickets.Redeem(ticket) is not { } t)
        {
            await Results.Problem(statusCode: 404, title: "No such listen ticket", detail: "The ticket is unknown or expired; ask the order page for a new one.").ExecuteAsync(http);
            return;
        }
        await proxy.ProxyAsync(http, t.CallId);
    }

    private static async Task<(WorkOrder? Order, string? CallId, IResult? Refusal)> AuthoriseAsync(long id, ClaimsPrincipal user, TicketDbContext db, CancellationToken ct)
    {
        var order = await db.WorkOrders.FirstOrDefaultAsync(o => o.Id == id, ct);
        if (order is null) return (null, null, WorkOrderSteps.NotFound(id));
        if (RecordingAccess.Refusal(user.ToActor(), order) is { } why)
            return (null, null, TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: why));
        var recorded = order.CallId is { } callId && await db.Calls.AsNoTracking().AnyAsync(c => c.CallId == callId && c.Recording != null && c.Recording != "", ct);
        if (!recorded) return (null, null, TypedResults.Problem(statusCode: 404, title: "No recording", detail: $"Order {order.Number} has no recorded call."));
        return (order, order.CallId, null);
    }

    private static async Task AuditListenAsync(TicketDbContext db, WorkOrder order, string callId, Actor actor, TimeProvider time, ILoggerFactory logs)
    {
        order.RecordListen(RecordingAccess.IdOf(callId), time.GetUtcNow().UtcDateTime, actor);
        await db.SaveChangesAsync();
        LogListen(logs.CreateLogger(typeof(RecordingsApi)), order.Id, actor.Id, actor.Role);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording of order {OrderId} played by {Listener} ({Role})")]
    private static partial void LogListen(ILogger logger, long orderId, string listener, string role);
}
