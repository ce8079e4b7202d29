using Hotline.TicketApi.Data;
using Hotline.TicketApi.Testing;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hotline.TicketApi.Supervision;

/// <summary>
/// DOMAIN.md step 8 (督办) done by the system: every <c>Supervision:SweepSeconds</c> (and whenever the test clock moves)
/// flags the orders past their dispatch cut-off or reply deadline, once per deadline, with an audit row
/// (<see cref="WorkOrder.FlagOverdue"/>); the flags are counted per department (<c>flaggedOverdue</c> in the metrics).
/// </summary>
public sealed class OverdueSweep(
    IServiceScopeFactory scopes, TimeProvider time, IOptions<SupervisionOptions> options, ILogger<OverdueSweep> log,
    ManualClock? testClock = null) : BackgroundService
{
    private const int BatchSize = 500;
    private readonly SemaphoreSlim _wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (testClock is not null) testClock.Moved += _ => Wake();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.SweepSeconds));
        var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var flagged = await SweepAsync(stoppingToken);
                if (flagged > 0) log.LogInformation("Overdue sweep flagged {Count} orders", flagged);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning(ex, "Overdue sweep failed; retrying at the next sweep");
            }
            var woken = _wake.WaitAsync(stoppingToken);
            var done = await Task.WhenAny(tick, woken);
            if (done == tick)
            {
                if (!await tick) return;
                tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            }
            else await woken;
        }
    }

    private void Wake()
    {
        try { _wake.Release(); }
        catch (SemaphoreFullException) { } // a sweep is already due
    }

    /// <summary>One sweep: flags every order overdue now and not yet flagged for its deadline; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var total = 0;
        while (true)
        {
            var now = time.GetUtcNow().UtcDateTime;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TicketDbContext>();
            // The three indexable terms of the overdue filter ((Status, DeadlineAt) / (Status, DispatchDueAt)), not yet flagged for that deadline.
            var due = await db.WorkOrders
                .Where(o => (o.Status == WorkOrderStatus.Dispatched && o.DeadlineAt < now && (o.OverdueFlaggedFor == null || o.OverdueFlaggedFor != o.DeadlineAt))
                    || (o.Status == WorkOrderStatus.Registered && o.DispatchDueAt < now && (o.OverdueFlaggedFor == null || o.OverdueFlaggedFor != o.DispatchDueAt))
                    || (o.Status == WorkOrderStatus.Returned && o.DispatchDueAt < now && (o.OverdueFlaggedFor == null || o.OverdueFlaggedFor != o.DispatchDueAt)))
                .OrderBy(o => o.Id).Take(BatchSize).ToListAsync(ct);
            var flagged = due.Count(o => o.FlagOverdue(now));
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                // A person changed one of these orders meanwhile: the next sweep looks again.
                return total;
            }
            total += flagged;
            if (due.Count < BatchSize || flagged == 0) return total;
        }
    }
}
