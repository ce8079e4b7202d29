using Hotline.Cti.Media.Codecs;

namespace Hotline.Cti.Media;

/// <summary>
/// A source whose frames can come out already G.711-encoded: clips are encoded once when loaded (both laws), so
/// 2,000 callers on the same hold music share one encoding instead of each encoding its own frame every 20 ms.
/// Each caller still reads at its own position: nothing is shared but the clip's bytes.
/// </summary>
public interface IEncodedFrameSource : IAudioSource
{
    /// <summary>
    /// Writes the next frame as G.711 <paramref name="law"/> codes into <paramref name="payload"/>
    /// (<see cref="AudioFormat.SamplesPerFrame"/> bytes) when it lies whole inside one clip, and advances exactly as
    /// <see cref="IAudioSource.ReadFrame"/> would. Returns false, changing nothing, otherwise (a frame across a clip
    /// boundary, the end, padding): the caller then reads the frame as PCM and encodes it.
    /// </summary>
    bool TryReadEncodedFrame(G711Law law, Span<byte> payload);
}
