using System.Text.Json;
using Google.Protobuf;
using Hotline.Contracts.V1;
using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hotline.TicketApi.Api;

/// <summary>One event of a call's timeline; <c>Event</c> is the contract's CallEvent as protobuf JSON.</summary>
public sealed record CallEventView(long Sequence, string Kind, DateTime OccurredAt, JsonElement Event);

/// <summary>A call record with its timeline.</summary>
public sealed record CallView(CallRecordView Call, IReadOnlyList<CallEventView> Timeline);

/// <summary><c>/api/calls</c>: call records by time, and one call with its whole timeline. Hotline staff only.</summary>
public static class CallsApi
{
    public static RouteGroupBuilder MapCallsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/calls").WithTags("Calls").RequireAuthorization(Policies.Hotline);
        group.MapGet("/", ListAsync);
        group.MapGet("/cdr.csv", CdrAsync);
        group.MapGet("/{callId}", GetAsync);
        return group;
    }

    public static async Task<Results<Ok<PageOf<CallRecordView>>, ValidationProblem>> ListAsync(
        TicketDbContext db, CancellationToken cancellationToken, DateTime? from = null, DateTime? to = null,
        int page = 1, int pageSize = 50)
    {
        var errors = new Validation();
        if (from is null) errors.Add("from", "from is required: the start of the period, ISO 8601, e.g. from=2026-12-01T00:00:00Z.");
        if (to is null) errors.Add("to", "to is required: the end of the period (exclusive), ISO 8601, e.g. to=2026-12-02T00:00:00Z.");
        if (from > to) errors.Add("from", "from must not be after to.");
        if (page < 1) errors.Add("page", "page must be 1 or more.");
        if (pageSize is < 1 or > WorkOrdersApi.MaxPageSize) errors.Add("pageSize", $"pageSize must be 1 to {WorkOrdersApi.MaxPageSize}.");
        if (errors.HasErrors) return errors.Problem();
        var f = from!.Value.ToUniversalTime();
        var t = to!.Value.ToUniversalTime();
        var query = db.Calls.AsNoTracking().Where(c => c.OfferedAt >= f && c.OfferedAt < t);
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(c => c.OfferedAt).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PageOf<CallRecordView>([.. items.Select(CallRecordView.Of)], page, pageSize, total));
    }

    /// <summary>Most calls one export holds: a longer period is refused (export it in parts), not cut silently.</summary>
    public const int MaxCdrRows = 200_000;

    /// <summary><c>GET /api/calls/cdr.csv?from=&amp;to=</c>: one line per call offered in the period (CallDetailRecords).</summary>
    public static async Task<Results<FileContentHttpResult, ValidationProblem>> CdrAsync(
        TicketDbContext db, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct, DateTime? from = null, DateTime? to = null)
    {
        var errors = new Validation();
        if (from is null) errors.Add("from", "from is required: the start of the period, ISO 8601, e.g. from=2026-12-01T00:00:00Z.");
        if (to is null) errors.Add("to", "to is required: the end of the period (exclusive), ISO 8601, e.g. to=2026-12-02T00:00:00Z.");
        if (from >= to) errors.Add("from", "from must be before to.");
        if (errors.HasErrors) return errors.Problem();
        var f = from!.Value.ToUniversalTime();
        var t = to!.Value.ToUniversalTime();
        var calls = await db.Calls.AsNoTracking().Where(c => c.OfferedAt >= f && c.OfferedAt < t)
            .OrderBy(c => c.OfferedAt).ThenBy(c => c.CallId).Take(MaxCdrRows + 1).ToListAsync(ct);
        if (calls.Count > MaxCdrRows)
        {
            errors.Add("to", $"More than {MaxCdrRows} calls in the period: export a shorter one.");
            return errors.Problem();
        }
        var ids = calls.Select(c => c.CallId).ToList();
        var orders = await db.WorkOrders.AsNoTracking().Where(o => o.CallId != null && ids.Contains(o.CallId))
            .OrderBy(o => o.Id).Select(o => new { o.CallId, o.Id }).ToListAsync(ct);
        var orderByCall = orders.GroupBy(o => o.CallId!).ToDictionary(g => g.Key, g => $"WO{g.First().Id:D8}", StringComparer.Ordinal);
        var full = user.IsInRole(Roles.Supervisor) || user.IsInRole(Roles.Admin);
        var csv = CallDetailRecords.Write(calls.Select(c => new CallDetail(c, orderByCall.GetValueOrDefault(c.CallId))), full);
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(csv), "text/csv",
            $"cdr-{f:yyyyMMddHHmm}-{t:yyyyMMddHHmm}.csv");
    }

    public static async Task<Results<Ok<CallView>, ProblemHttpResult>> GetAsync(string callId, TicketDbContext db, CancellationToken cancellationToken)
    {
        var call = await db.Calls.AsNoTracking().FirstOrDefaultAsync(c => c.CallId == callId, cancellationToken);
        if (call is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Call {callId} does not exist.");
        return TypedResults.Ok(new CallView(CallRecordView.Of(call), await TimelineAsync(db, callId, cancellationToken)));
    }

    /// <summary>The call's events in sequence order (whatever order they arrived in).</summary>
    public static async Task<IReadOnlyList<CallEventView>> TimelineAsync(TicketDbContext db, string callId, CancellationToken cancellationToken)
    {
        var rows = await db.CallEvents.AsNoTracking().Where(e => e.CallId == callId).OrderBy(e => e.Sequence).ToListAsync(cancellationToken);
        return [.. rows.Select(r => new CallEventView(r.Sequence, r.Kind, r.OccurredAt,
            JsonDocument.Parse(JsonFormatter.Default.Format(CallEvent.Parser.ParseFrom(r.Payload))).RootElement.Clone()))];
    }
}
