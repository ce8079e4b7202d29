using Hotline.AcdEngine.Recording;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// Recording (issue 8, <c>Recording:Enabled</c>): from the agent's answer to the call's end, the caller's leg (so every
/// party the caller hears) into one WAV; <see cref="RecordingAvailable"/> then the location on <see cref="CallEnded"/>.
/// </summary>
public sealed partial class InboundCallFlow
{
    private string? _recordingPath;

    private void StartRecording()
    {
        if (_ctx.Recordings is not { Enabled: true } recordings) return;
        lock (_gate)
        {
            if (_recordingPath is not null) return;
            _recordingPath = recordings.Start(_caller, CallId);
        }
    }

    /// <summary>Stops the recording (call over); emits RecordingAvailable; the location for CallEnded, or "".</summary>
    private string FinishRecording()
    {
        string? path;
        lock (_gate)
        {
            path = _recordingPath;
            _recordingPath = null;
        }
        if (path is null || _ctx.Recordings is not { } recordings) return "";
        var file = recordings.Stop(_caller, path);
        if (file is null) return "";
        _events.Emit(new CallEvent { RecordingAvailable = new RecordingAvailable { Location = file.Location, DurationMs = Tracking.CallTimeline.Ms(file.Duration) } });
        return file.Location;
    }
}
