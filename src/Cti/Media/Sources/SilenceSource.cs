namespace Hotline.Cti.Media.Sources;

/// <summary>Silence, for a fixed time (a pause in a prompt sequence) or forever.</summary>
public sealed class SilenceSource(TimeSpan? duration = null) : IAudioSource
{
    private int _framesLeft = duration is { } d ? (int)Math.Ceiling(d.TotalMilliseconds / AudioFormat.FrameMilliseconds) : -1;

    public bool ReadFrame(Span<short> frame)
    {
        frame.Clear();
        if (_framesLeft < 0) return true;
        if (_framesLeft == 0) return false;
        _framesLeft--;
        return true;
    }
}
