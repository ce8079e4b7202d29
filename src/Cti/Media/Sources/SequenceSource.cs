using System.Runtime.CompilerServices;
namespace Hotline.Cti.Media.Sources;

/// <summary>Plays sources one after another (a prompt sequence); ends after the last.</summary>
public sealed class SequenceSource(IEnumerable<IAudioSource> parts) : IAudioSource
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
}
