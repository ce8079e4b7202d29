using System.Runtime.CompilerServices;
namespace Hotline.Cti.Media.Sources;

/// <summary>Plays one <see cref="WavClip"/> once; the last partial frame is padded with silence.</summary>
public sealed class WavPlayer(WavClip clip) : IAudioSource
{
    private int _position;

    public WavClip Clip { get; } = clip;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool ReadFrame(Span<short> frame)
    {
        var samples = Clip.Samples.Span;
        var count = Math.Min(frame.Length, samples.Length - _position);
        if (count <= 0)
        {
            frame.Clear();
            return false;
        }
        samples.Slice(_position, count).CopyTo(frame);
        frame[count..].Clear();
        _position += count;
        return true;
    }
}
