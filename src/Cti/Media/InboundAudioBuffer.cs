using Hotline.Cti.Media.Codecs;

namespace Hotline.Cti.Media;

/// <summary>
/// The audio a peer sent us, decoded, waiting for the next tick (a minimal jitter buffer). Lock-free single
/// producer (the receive loop) / single consumer (the clock thread, which serialises its own readers): a lock shared
/// with the normal-priority receive loop would let it block the real-time clock (priority inversion).
/// Any packet size is accepted (10/20/30 ms ptime). When the ring is full new audio is dropped; when more than
/// <see cref="HighWaterSamples"/> are queued (the peer's clock runs fast) the reader skips the oldest down to
/// two frames so the delay stays small.
/// </summary>
internal sealed class InboundAudioBuffer
{
    private const int HighWaterSamples = AudioFormat.SamplesPerFrame * 5;
    private const int TrimToSamples = AudioFormat.SamplesPerFrame * 2;
    private readonly short[] _ring;
    private long _written; // total samples written; only the producer writes it
    private long _read;    // total samples read or skipped; only the consumer writes it

    public InboundAudioBuffer(int capacityMilliseconds)
    {
        _ring = new short[Math.Max(capacityMilliseconds, 2 * AudioFormat.FrameMilliseconds) * AudioFormat.SampleRate / 1000];
    }

    public int BufferedSamples => (int)(Volatile.Read(ref _written) - Volatile.Read(ref _read));

    /// <summary>Producer: decodes a G.711 payload into the ring; drops it when the ring is full.</summary>
    public void WriteEncoded(G711Law law, ReadOnlySpan<byte> payload)
    {
        var written = _written;
        var free = _ring.Length - (int)(written - Volatile.Read(ref _read));
        if (payload.Length > free) return;
        var at = (int)(written % _ring.Length);
        var first = Math.Min(payload.Length, _ring.Length - at);
        G711.Decode(law, payload[..first], _ring.AsSpan(at, first));
        G711.Decode(law, payload[first..], _ring.AsSpan(0, payload.Length - first));
        Volatile.Write(ref _written, written + payload.Length); // publish after the samples are in place
    }

    /// <summary>Consumer: fills <paramref name="frame"/>; returns the samples that were real audio (the rest is silence).</summary>
    public int Read(Span<short> frame)
    {
        var read = _read;
        var available = (int)(Volatile.Read(ref _written) - read);
        if (available > HighWaterSamples)
        {
            read += available - TrimToSamples;
            available = TrimToSamples;
        }
        var n = Math.Min(frame.Length, available);
        var at = (int)(read % _ring.Length);
        var first = Math.Min(n, _ring.Length - at);
        _ring.AsSpan(at, first).CopyTo(frame);
        _ring.AsSpan(0, n - first).CopyTo(frame[first..]);
        frame[n..].Clear();
        Volatile.Write(ref _read, read + n);
        return n;
    }
}
