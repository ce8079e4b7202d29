namespace Hotline.Cti.Media;

/// <summary>
/// Something a call leg can hear: fills one 20 ms frame of 8 kHz, 16-bit linear PCM at a time.
/// Called from the media clock's thread; implementations must not block or allocate per frame.
/// </summary>
public interface IAudioSource
{
    /// <summary>
    /// Writes the next frame into <paramref name="frame"/> (<see cref="AudioFormat.SamplesPerFrame"/> samples).
    /// Returns false when the source has ended (the frame is then silence).
    /// </summary>
    bool ReadFrame(Span<short> frame);
}

/// <summary>The one audio format inside the engine: 8 kHz mono 16-bit, 20 ms frames (G.711's natural frame).</summary>
public static class AudioFormat
{
    public const int SampleRate = 8000;
    public const int FrameMilliseconds = 20;
    public const int SamplesPerFrame = SampleRate * FrameMilliseconds / 1000;
}
