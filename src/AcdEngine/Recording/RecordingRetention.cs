using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Recording;

/// <summary>
/// Deletes recordings older than <c>Recording:RetentionDays</c> (by the file's last write time, i.e. the call's end),
/// then the date folders left empty. Runs at start and every <c>Recording:SweepEveryHours</c> on the injected clock.
/// </summary>
public sealed partial class RecordingRetention(CallRecordings recordings, IOptions<RecordingOptions> options, TimeProvider time, ILogger<RecordingRetention> logger)
    : BackgroundService
{
    /// <summary>One sweep: the number of recordings deleted.</summary>
    public int Sweep()
    {
        var root = recordings.Root;
        if (!Directory.Exists(root)) return 0;
        var cutoff = time.GetUtcNow().UtcDateTime - TimeSpan.FromDays(options.Value.RetentionDays);
        var deleted = 0;
        foreach (var file in Directory.EnumerateFiles(root, "*.wav", SearchOption.AllDirectories))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(file) >= cutoff) continue;
                File.Delete(file);
                deleted++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogDeleteFailed(logger, file, ex.Message);
            }
        }
        foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
        {
            try
            {
                if (!Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogDeleteFailed(logger, dir, ex.Message);
            }
        }
        if (deleted > 0) LogSwept(logger, deleted, options.Value.RetentionDays);
        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(options.Value.SweepEveryHours), time);
        try
        {
            do
            {
                Sweep();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
            // Engine stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording retention: {Count} recordings older than {Days} days deleted")]
    private static partial void LogSwept(ILogger logger, int count, int days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording retention could not delete {Path}: {Error}")]
    private static partial void LogDeleteFailed(ILogger logger, string path, string error);
}
