using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hotline.TicketApi.Supervision;

/// <summary>
/// <c>GET /api/supervision/overdue</c>: the orders overdue now, per department (the hotline's own undispatched orders
/// under <c>""</c>), and how many of them the sweep has flagged — for the wallboard and the desk.
/// </summary>
public static class SupervisionApi
{
    public sealed record DepartmentOverdue(string DepartmentId, int Overdue, int Flagged);
    public sealed record OverdueSummary(DateTime At, int Overdue, int Flagged, IReadOnlyList<DepartmentOverdue> Departments);

    public static IServiceCollection AddSupervision(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SupervisionOptions>().Bind(configuration.GetSection(SupervisionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OverdueSweep>();
        services.AddHostedService(sp => sp.GetRequiredService<OverdueSweep>());
        return services;
    }

    public static void MapSupervisionApi(this IEndpointRouteBuilder app) =>
        app.MapGroup("/api/supervision").WithTags("Supervision").RequireAuthorization(Policies.Hotline).MapGet("/overdue", OverdueAsync);

    private static async Task<Ok<OverdueSummary>> OverdueAsync(TicketDbContext db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var rows = await db.WorkOrders.AsNoTracking()
            .Where(o => (o.Status == WorkOrderStatus.Dispatched && o.DeadlineAt < now)
                || ((o.Status == WorkOrderStatus.Registered || o.Status == WorkOrderStatus.Returned) && o.DispatchDueAt < now))
            .GroupBy(o => o.Status == WorkOrderStatus.Dispatched ? o.DepartmentId ?? "" : "")
            .Select(g => new { g.Key, Overdue = g.Count(), Flagged = g.Count(o => o.OverdueFlaggedAt != null) })
            .ToListAsync(ct);
        var departments = rows.OrderByDescending(r => r.Overdue).ThenBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => new DepartmentOverdue(r.Key, r.Overdue, r.Flagged)).ToList();
        return TypedResults.Ok(new OverdueSummary(now, departments.Sum(d => d.Overdue), departments.Sum(d => d.Flagged), departments));
    }
}
