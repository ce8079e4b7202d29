using Hotline.Cti.Media;

namespace Hotline.LoadGen;

/// <summary>
/// Plays clips of 8 kHz 16-bit samples one after another, optionally looping, and says how long a pass is, so that
/// <see cref="SimTelephony"/> can "play" a simulated prompt for its length. No allocation per frame.
/// </summary>
public sealed class PcmSource(IReadOnlyList<short[]> clips, bool loop) : IAudioSource
{
    private int _clip;
    private int _offset;

    /// <summary>Total length of one pass, in 20 ms frames (rounded up per clip).</summary>
    public bool Looping => loop;

    public int FramesPerPass { get; } = clips.Sum(c => (c.Length + AudioFormat.SamplesPerFrame - 1) / AudioFormat.SamplesPerFrame);

    public bool ReadFrame(Span<short> frame)
    {
        var written = 0;
        while (written < frame.Length)
        {
            if (_clip >= clips.Count)
            {
                if (!loop || FramesPerPass == 0)
                {
                    frame[written..].Clear();
                    return written > 0;
                }
                _clip = 0;
            }
            var clip = clips[_clip];
            if (clip.Length == 0)
            {
                _clip++; // A missing prompt: nothing to play.
                continue;
            }
            var n = Math.Min(frame.Length - written, clip.Length - _offset);
            clip.AsSpan(_offset, n).CopyTo(frame[written..]);
            written += n;
            _offset += n;
            if (_offset >= clip.Length)
            {
                _clip++;
                _offset = 0;
                // A clip ends on a frame boundary: pad the rest of this frame with silence.
                frame[written..].Clear();
                return true;
            }
        }
        return true;
    }
}
