using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Outbound;

/// <summary>
/// Recording of outbound calls (issue 10, <c>Recording:Enabled</c>), as for inbound ones: from the bridge to the call's
/// end, the called party's leg (what the party says and hears: the agent, then the survey) into one WAV under the same
/// folder, so the same retention sweep applies; <see cref="RecordingAvailable"/>, then the location on <see cref="CallEnded"/>.
/// </summary>
public sealed partial class OutboundCallFlow
{
    private string? _recordingPath;
    private ICallLeg? _recordedLeg;

    private void StartRecording(ICallLeg party)
    {
        if (_ctx.Recordings is not { Enabled: true } recordings) return;
        lock (_gate)
        {
            if (_recordingPath is not null) return;
            _recordingPath = recordings.Start(party, CallId);
            if (_recordingPath is not null) _recordedLeg = party;
        }
    }

    /// <summary>Stops the recording (call over); emits RecordingAvailable; the location for CallEnded, or "".</summary>
    private string FinishRecording()
    {
        string? path;
        ICallLeg? leg;
        lock (_gate)
        {
            (path, leg) = (_recordingPath, _recordedLeg);
            (_recordingPath, _recordedLeg) = (null, null);
        }
        if (path is null || leg is null || _ctx.Recordings is not { } recordings) return "";
        var file = recordings.Stop(leg, path);
        if (file is null) return "";
        _events.Emit(new CallEvent { RecordingAvailable = new RecordingAvailable { Location = file.Location, DurationMs = Tracking.CallTimeline.Ms(file.Duration) } });
        return file.Location;
    }
}
