using System.Text.Json;

namespace Hotline.AcdEngine.Stats;

/// <summary>
/// Today's queue counters in the engine's data folder (<c>stats-today.json</c>): written when they change (at most once
/// a second, temp file then rename) and read at start, so the wallboard's "today" (offered, answered, abandoned,
/// service level) survives a restart instead of starting again from 0 (issue 20).
/// </summary>
public sealed partial class TodayFile(string path, ILogger<TodayFile> logger)
{
    public TodayCounts? Load()
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<TodayCounts>(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            LogUnreadable(logger, path, ex.Message);
            return null;
        }
    }

    public void Save(TodayCounts counts)
    {
        try
        {
            var temp = path + ".tmp";
            File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(counts));
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException ex)
        {
            LogUnwritable(logger, path, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Today's counters file {Path} unreadable; today starts from 0: {Error}")]
    private static partial void LogUnreadable(ILogger logger, string path, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Today's counters file {Path} not written: {Error}")]
    private static partial void LogUnwritable(ILogger logger, string path, string error);
}
