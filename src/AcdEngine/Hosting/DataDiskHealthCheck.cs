using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Recording;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Hotline.AcdEngine.Hosting;

/// <summary>
/// /healthz: degraded while the engine's data disk refuses writes (issue 21, disk full): the outbox holds events in
/// memory or recordings are being cut short. Degraded, not unhealthy: calls are still taken and answered.
/// </summary>
public sealed class DataDiskHealthCheck(SqliteOutbox outbox, CallRecordings recordings) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var held = outbox.HeldCount;
        if (!outbox.DiskFull && !recordings.Failing) return Task.FromResult(HealthCheckResult.Healthy());
        return Task.FromResult(HealthCheckResult.Degraded(
            $"data disk full: {held} events held in memory, {outbox.DroppedCount} dropped; recordings {(recordings.Failing ? "cut short" : "fine")}"));
    }
}
