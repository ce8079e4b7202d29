using System.Globalization;
using Hotline.TicketApi.Api;
using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Calendar;
using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hotline.TicketApi.Metrics;

/// <summary><c>/api/metrics</c>: the indicators, the monthly CSV report, and the declared exclusion windows.</summary>
public static class MetricsApi
{
    public sealed record ExclusionRequest(DateTime? From, DateTime? To, string? Reason);

    public static RouteGroupBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/metrics").WithTags("Metrics").RequireAuthorization(Policies.Hotline);
        group.MapGet("/", GetAsync);
        group.MapGet("/report.csv", ReportAsync);
        group.MapGet("/exclusions", ListExclusionsAsync);
        group.MapPost("/exclusions", AddExclusionAsync).RequireAuthorization(Policies.Supervisor);
        return group;
    }

    public static async Task<Results<Ok<MetricsReport>, ValidationProblem>> GetAsync(
        MetricsQuery query, CancellationToken ct, DateTime? from = null, DateTime? to = null, string? groupBy = null)
    {
        var v = new Validation();
        if (from is null) v.Add("from", "from is required: the start of the period, ISO 8601, e.g. from=2026-12-01T00:00:00Z.");
        if (to is null) v.Add("to", "to is required: the end of the period (exclusive), ISO 8601, e.g. to=2026-12-02T00:00:00Z.");
        if (from >= to) v.Add("from", "from must be before to.");
        var grouping = ParseGrouping(groupBy, v);
        if (v.HasErrors) return v.Problem();
        return TypedResults.Ok(await query.RunAsync(from!.Value.ToUniversalTime(), to!.Value.ToUniversalTime(), grouping, ct));
    }

    /// <summary>The monthly report of a local calendar month (<c>month=yyyy-MM</c>).</summary>
    public static async Task<Results<FileContentHttpResult, ValidationProblem>> ReportAsync(
        MetricsQuery query, WorkingCalendar calendar, CancellationToken ct, string? month = null, string? groupBy = null)
    {
        var v = new Validation();
        if (!DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
            v.Add("month", "month is required as yyyy-MM.");
        var grouping = ParseGrouping(groupBy ?? "agent", v);
        if (v.HasErrors) return v.Problem();
        var report = await query.RunAsync(calendar.AtLocal(first, TimeOnly.MinValue).UtcDateTime,
            calendar.AtLocal(first.AddMonths(1), TimeOnly.MinValue).UtcDateTime, grouping, ct);
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(MonthlyReportCsv.Write(report)), "text/csv", $"hotline-{month}.csv");
    }

    public static async Task<Ok<List<ExclusionView>>> ListExclusionsAsync(TicketDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await db.ExclusionWindows.AsNoTracking().OrderBy(w => w.From)
            .Select(w => new ExclusionView(w.Id, w.From, w.To, w.Reason)).ToListAsync(ct));

    /// <summary>DOMAIN.md: a rate may exclude declared periods of system failure or traffic beyond seat capacity.</summary>
    public static async Task<Results<Created<ExclusionView>, ValidationProblem>> AddExclusionAsync(
        ExclusionRequest request, TicketDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        if (request.From is null) v.Add("from", "from is required.");
        if (request.To is null) v.Add("to", "to is required.");
        if (request.From >= request.To) v.Add("to", "to must be after from.");
        v.Require(request.Reason, "reason", 400);
        if (v.HasErrors) return v.Problem();
        var w = new ExclusionWindow { From = request.From!.Value.ToUniversalTime(), To = request.To!.Value.ToUniversalTime(), Reason = request.Reason! };
        db.ExclusionWindows.Add(w);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/metrics/exclusions/{w.Id}", new ExclusionView(w.Id, w.From, w.To, w.Reason));
    }

    private static MetricsGrouping ParseGrouping(string? groupBy, Validation v)
    {
        if (string.IsNullOrEmpty(groupBy)) return MetricsGrouping.None;
        if (Enum.TryParse<MetricsGrouping>(groupBy, ignoreCase: true, out var g) && Enum.IsDefined(g) && !int.TryParse(groupBy, out _)) return g;
        v.Add("groupBy", "groupBy must be one of: hour, day, month, queue, agent, department, category.");
        return MetricsGrouping.None;
    }
}
