using Hotline.Cti.Media.Codecs;

namespace Hotline.Cti.Media;

/// <summary>
/// The audio a peer sent us, decoded, waiting for the next tick (a minimal jitter buffer). The receive loop writes,
/// the clock thread reads one 20 ms frame per tick. Any packet size is accepted (10/20/30 ms ptime). When the
/// peer's clock runs fast and audio piles up past <see cref="HighWaterSamples"/>, the oldest audio is dropped
/// down to two frames so the delay stays small.
/// </summary>
internal sealed class InboundAudioBuffer
{
    private const int HighWaterSamples = AudioFormat.SamplesPerFrame * 5;
    private const int TrimToSamples = AudioFormat.SamplesPerFrame * 2;
    private readonly short[] _ring;
    private readonly Lock _gate = new();
    private int _read;
    private int _count;

    public InboundAudioBuffer(int capacityMilliseconds)
    {
        _ring = new short[Math.Max(capacityMilliseconds, 2 * AudioFormat.FrameMilliseconds) * AudioFormat.SampleRate / 1000];
    }

    public int BufferedSamples
    {
        get { lock (_gate) return _count; }
    }

    /// <summary>Decodes a G.711 payload into the ring, dropping the oldest audio if it does not fit.</summary>
    public void WriteEncoded(G711Law law, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > _ring.Length) payload = payload[^_ring.Length..];
        lock (_gate)
        {
            var overflow = _count + payload.Length - _ring.Length;
            if (overflow > 0) Drop(overflow);
            var write = (_read + _count) % _ring.Length;
            var first = Math.Min(payload.Length, _ring.Length - write);
            G711.Decode(law, payload[..first], _ring.AsSpan(write, first));
            G711.Decode(law, payload[first..], _ring.AsSpan(0, payload.Length - first));
            _count += payload.Length;
        }
    }

    /// <summary>Fills <paramref name="frame"/>; returns the samples that were real audio (the rest is silence).</summary>
    public int Read(Span<short> frame)
    {
        lock (_gate)
        {
            if (_count > HighWaterSamples) Drop(_count - TrimToSamples);
            var n = Math.Min(frame.Length, _count);
            var first = Math.Min(n, _ring.Length - _read);
            _ring.AsSpan(_read, first).CopyTo(frame);
            _ring.AsSpan(0, n - first).CopyTo(frame[first..]);
            frame[n..].Clear();
            _read = (_read + n) % _ring.Length;
            _count -= n;
            return n;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _read = 0;
            _count = 0;
        }
    }

    private void Drop(int samples)
    {
        _read = (_read + samples) % _ring.Length;
        _count -= samples;
    }
}
