using System.Runtime.CompilerServices;
using Hotline.Cti.Media.Codecs;

namespace Hotline.Cti.Media.Sources;

/// <summary>Plays one <see cref="WavClip"/> once; the last partial frame is padded with silence.</summary>
public sealed class WavPlayer(WavClip clip) : IEncodedFrameSource
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReadEncodedFrame(G711Law law, Span<byte> payload)
    {
        if (_position + payload.Length > Clip.Samples.Length) return false; // the last, padded frame or the end
        Clip.Encoded(law).Slice(_position, payload.Length).CopyTo(payload);
        _position += payload.Length;
        return true;
    }
}
