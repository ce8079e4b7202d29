using System.Runtime.CompilerServices;
using Hotline.Cti.Media.Codecs;

namespace Hotline.Cti.Media.Sources;

/// <summary>
/// Plays clips one after another without a gap between them (hold music); with <c>loop</c>, forever.
/// Each caller gets its own playlist over shared clips; <c>startClip</c> lets callers start at
/// different places.
/// </summary>
public sealed class PlaylistSource : IEncodedFrameSource
{
    private readonly WavClip[] _clips;
    private readonly bool _loop;
    private int _clip;
    private int _position;

    public PlaylistSource(IReadOnlyList<WavClip> clips, bool loop, int startClip = 0)
    {
        if (clips.Count == 0) throw new ArgumentException("A playlist needs at least one clip.", nameof(clips));
        if (clips.Any(c => c.Samples.Length == 0)) throw new ArgumentException("A playlist clip is empty.", nameof(clips));
        _clips = [.. clips];
        _loop = loop;
        _clip = ((startClip % _clips.Length) + _clips.Length) % _clips.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool ReadFrame(Span<short> frame)
    {
        var written = 0;
        while (written < frame.Length)
        {
            if (_clip >= _clips.Length)
            {
                if (!_loop)
                {
                    frame[written..].Clear();
                    return written > 0;
                }
                _clip = 0;
            }
            var samples = _clips[_clip].Samples.Span;
            var count = Math.Min(frame.Length - written, samples.Length - _position);
            samples.Slice(_position, count).CopyTo(frame[written..]);
            written += count;
            _position += count;
            if (_position >= samples.Length)
            {
                _clip++;
                _position = 0;
            }
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReadEncodedFrame(G711Law law, Span<byte> payload)
    {
        if (_clip >= _clips.Length) return false; // the end or the loop's wrap: ReadFrame handles it
        var clip = _clips[_clip];
        if (_position + payload.Length > clip.Samples.Length) return false; // across a clip boundary
        clip.Encoded(law).Slice(_position, payload.Length).CopyTo(payload);
        _position += payload.Length;
        if (_position == clip.Samples.Length)
        {
            _clip++;
            _position = 0;
        }
        return true;
    }
}
