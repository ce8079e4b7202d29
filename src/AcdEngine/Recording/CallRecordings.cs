using Hotline.Cti.Calls;
using Hotline.Cti.Media.Recording;

namespace Hotline.AcdEngine.Recording;

/// <summary>
/// A finished recording: its identifier (<c>rec:&lt;callId&gt;</c>, what events carry) and how long it lasts (from the
/// WAV's data size). Events name a recording, never a path or URL: the engine that holds the file resolves the id
/// (<see cref="CallRecordings.Find"/>), so a forged event cannot point anyone elsewhere (COMMON identity model).
/// </summary>
public sealed record RecordingFile(string Location, TimeSpan Duration)
{
    public const string IdPrefix = "rec:";

    public static string IdOf(string callId) => IdPrefix + callId;
}

/// <summary>
/// Where calls are recorded: <c>&lt;root&gt;/yyyy/MM/dd/&lt;callId&gt;.wav</c> (one file per call; the date folder
/// keeps directories small and makes retention cheap). The caller's leg is recorded — what the caller says and
/// hears, i.e. every party in the call.
/// </summary>
/// <remarks>
/// Disk full (issue 21): a recording whose write the disk refuses stops where it is and the call goes on
/// (<see cref="WavRecorder"/>); the first such failure is logged as critical and <see cref="Failing"/> turns true
/// (/healthz degraded) until a later recording completes whole.
/// </remarks>
public sealed partial class CallRecordings
{
    private const int WavHeaderBytes = 44;
    private readonly RecordingOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<CallRecordings> logger;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _cutShort = new(StringComparer.Ordinal);
    private int _unsupportedLogged;
    private int _failing;

    public CallRecordings(string root, RecordingOptions options, TimeProvider time, ILogger<CallRecordings> logger)
    {
        Root = root;
        this.options = options;
        this.time = time;
        this.logger = logger;
        WavRecorder.WriteFailed += OnWriteFailed;
    }

    /// <summary>Whether recordings are being cut short by a disk that refuses writes.</summary>
    public bool Failing => Volatile.Read(ref _failing) != 0;

    private void OnWriteFailed(WavRecorder recorder, IOException ex)
    {
        if (!recorder.Path.StartsWith(Root, StringComparison.Ordinal)) return;
        _cutShort[recorder.Path] = true;
        if (Interlocked.Exchange(ref _failing, 1) == 0) LogWriteFailed(logger, ex.Message);
    }

    public string Root { get; }
    public bool Enabled => options.Enabled;

    /// <summary>Starts recording <paramref name="leg"/>; the file's path, or null when disabled or the leg cannot record.</summary>
    public string? Start(ICallLeg leg, string callId)
    {
        if (!options.Enabled) return null;
        var now = time.GetUtcNow();
        var folder = Path.Combine(Root, now.ToString("yyyy", System.Globalization.CultureInfo.InvariantCulture),
            now.ToString("MM", System.Globalization.CultureInfo.InvariantCulture), now.ToString("dd", System.Globalization.CultureInfo.InvariantCulture));
        var path = Path.Combine(folder, callId + ".wav");
        try
        {
            Directory.CreateDirectory(folder);
            if (leg.StartRecording(path)) return path;
            if (Interlocked.Exchange(ref _unsupportedLogged, 1) == 0) LogUnsupported(logger);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogStartFailed(logger, ex, callId);
        }
        return null;
    }

    /// <summary>Stops recording and measures the file (null when nothing was written).</summary>
    public RecordingFile? Stop(ICallLeg leg, string path)
    {
        leg.StopRecording();
        if (!_cutShort.TryRemove(path, out _) && Interlocked.Exchange(ref _failing, 0) != 0) LogWritesBack(logger);
        var file = new FileInfo(path);
        if (!file.Exists) return null;
        var samples = Math.Max(0, file.Length - WavHeaderBytes) / 2;
        return new RecordingFile(RecordingFile.IdOf(Path.GetFileNameWithoutExtension(path)), TimeSpan.FromSeconds(samples / (double)Cti.Media.AudioFormat.SampleRate));
    }

    /// <summary>The file of a recording id (<c>rec:&lt;callId&gt;</c>); null when it is not one or no longer exists.</summary>
    public string? Find(string recordingId)
    {
        if (!recordingId.StartsWith(RecordingFile.IdPrefix, StringComparison.Ordinal)) return null;
        var callId = recordingId[RecordingFile.IdPrefix.Length..];
        // A call id is a name, never a path: anything that could leave the root is not a recording.
        if (callId.Length is 0 or > 128 || callId.IndexOfAny(['/', '\\', '.', '*', '?']) >= 0 || !Directory.Exists(Root)) return null;
        return Directory.EnumerateFiles(Root, callId + ".wav", SearchOption.AllDirectories).FirstOrDefault();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording:Enabled is set but this telephony cannot record call legs; calls are not recorded")]
    private static partial void LogUnsupported(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Engine data disk refuses recording writes ({Error}): recordings are cut short, calls go on. Free space on Data:Path")]
    private static partial void LogWriteFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A recording was written whole again: recordings resume")]
    private static partial void LogWritesBack(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording of call {CallId} could not start")]
    private static partial void LogStartFailed(ILogger logger, Exception ex, string callId);
}
