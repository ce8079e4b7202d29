using Hotline.TicketApi.Metrics;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.Ingest;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;

namespace Hotline.TicketApi.Hosting;

/// <summary>
/// Work orders by status and overdue orders per department, as gauges. Counted by the database every
/// <see cref="Refresh"/> (not per scrape: a 1 s scrape interval must not become a GROUP BY a second), plus the ingest
/// writer's queue. The query's own duration is <c>hotline_db_query_duration_seconds</c>.
/// </summary>
public sealed partial class OrderGauges(TicketMetrics metrics, IServiceScopeFactory scopes, IngestWriter writer, TimeProvider time,
    ILogger<OrderGauges> logger) : BackgroundService
{
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(15);

    private volatile Figures _figures = new([], []);

    private sealed record Figures(IReadOnlyList<(string Status, int Count)> ByStatus, IReadOnlyList<(string Department, int Count)> Overdue);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var meter = metrics.Meter;
        meter.CreateObservableGauge("hotline.workorders", ObserveByStatus, "{order}", "Work orders by status.");
        meter.CreateObservableGauge("hotline.workorders.overdue", ObserveOverdue, "{order}",
            "Orders past their deadline (dispatched: the department's reply; registered or returned: the dispatch cut-off), by department ('' = the hotline's own desk).");
        meter.CreateObservableGauge("hotline.ingest.queue", () => writer.QueueLength, "{event}", "Events received and waiting for the ingest writer.");
        var duration = meter.CreateHistogram<double>("hotline.db.query_duration", "s", "Duration of the metrics' own database queries (a probe of database latency).");
        using var timer = new PeriodicTimer(Refresh, time);
        do
        {
            try
            {
                var started = time.GetTimestamp();
                _figures = await CountAsync(stoppingToken);
                duration.Record(time.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("query", "workorders"));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogCountFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<Figures> CountAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TicketDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var byStatus = await db.WorkOrders.AsNoTracking().GroupBy(o => o.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        // The same rule as WorkOrder.IsOverdue and /api/supervision/overdue.
        var overdue = await db.WorkOrders.AsNoTracking()
            .Where(o => (o.Status == WorkOrderStatus.Dispatched && o.DeadlineAt < now)
                || ((o.Status == WorkOrderStatus.Registered || o.Status == WorkOrderStatus.Returned) && o.DispatchDueAt < now))
            .GroupBy(o => o.Status == WorkOrderStatus.Dispatched ? o.DepartmentId ?? "" : "")
            .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        // Every status appears (0 included), so a rate or an absence alert works from the first scrape.
        var statuses = Enum.GetValues<WorkOrderStatus>()
            .Select(s => (s.ToString(), byStatus.FirstOrDefault(r => r.Key == s)?.Count ?? 0)).ToList();
        return new Figures(statuses, overdue.Select(r => (r.Key, r.Count)).ToList());
    }

    private IEnumerable<System.Diagnostics.Metrics.Measurement<int>> ObserveByStatus()
    {
        foreach (var (status, count) in _figures.ByStatus) yield return new(count, new KeyValuePair<string, object?>("status", status));
    }

    private IEnumerable<System.Diagnostics.Metrics.Measurement<int>> ObserveOverdue()
    {
        foreach (var (department, count) in _figures.Overdue) yield return new(count, new KeyValuePair<string, object?>("department", department));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics: counting work orders failed; the gauges keep their last figures")]
    private static partial void LogCountFailed(ILogger logger, Exception ex);
}
