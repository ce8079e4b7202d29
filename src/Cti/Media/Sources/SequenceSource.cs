using System.Runtime.CompilerServices;
using Hotline.Cti.Media.Codecs;

namespace Hotline.Cti.Media.Sources;

/// <summary>Plays sources one after another (a prompt sequence); ends after the last.</summary>
public sealed class SequenceSource(IEnumerable<IAudioSource> parts) : IEncodedFrameSource
{
    private readonly IAudioSource[] _parts = [.. parts];
    private int _index;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool ReadFrame(Span<short> frame)
    {
        while (_index < _parts.Length)
        {
            if (_parts[_index].ReadFrame(frame)) return true;
            _index++;
        }
        frame.Clear();
        return false;
    }

    /// <summary>The current part's encoded frame when it has one; a part that ends is left to ReadFrame.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReadEncodedFrame(G711Law law, Span<byte> payload) =>
        _index < _parts.Length && _parts[_index] is IEncodedFrameSource part && part.TryReadEncodedFrame(law, payload);
}
