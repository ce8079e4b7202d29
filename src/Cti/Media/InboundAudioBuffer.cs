using System.Runtime.CompilerServices;
using Hotline.Cti.Media.Codecs;

namespace Hotline.Cti.Media;

/// <summary>
/// The audio a peer sent us, decoded, waiting for the next tick (a minimal jitter buffer). Lock-free single
/// producer (the receive loop) / single consumer (the clock thread, which serialises its own readers): a lock shared
/// with the normal-priority receive loop would let it block the real-time clock (priority inversion).
/// Any packet size is accepted (10/20/30 ms ptime). When the ring is full new audio is dropped; when more than
/// <see cref="HighWaterSamples"/> are queued (the peer's clock runs fast) the reader skips the oldest down to
/// two frames so the delay stays small.
/// <para>
/// Reordering (producer side, RFC 3550 sequence numbers): a packet that skips ahead is held back for one packet
/// in case the missing one is only late; the missing one, if it comes next, goes in first. A packet older than
/// what was already released is too late and dropped. A jump of more than <see cref="ResyncPackets"/> is a new
/// stream (resync). Concealment (consumer side): when nothing at all arrived for a tick right after real audio,
/// the last frame is repeated at half, then quarter amplitude, then silence.
/// </para>
/// <para>
/// Opus (RFC 7587, browser legs): packets are decoded to 8 kHz PCM on release, so in sequence order as the decoder's
/// state needs; when one packet is missing before a released one, its 20 ms is rebuilt first from the in-band FEC
/// of the next (RFC 6716 §2.1.7; the decoder's concealment when the packet carries none).
/// </para>
/// </summary>
internal sealed class InboundAudioBuffer
{
    private const int HighWaterSamples = AudioFormat.SamplesPerFrame * 5;
    private const int TrimToSamples = AudioFormat.SamplesPerFrame * 2;
    private readonly short[] _ring;
    private long _written; // total samples written; only the producer writes it
    private long _read;    // total samples read or skipped; only the consumer writes it

    /// <summary>A sequence jump larger than this (either way) restarts ordering: the peer restarted its stream.</summary>
    public const int ResyncPackets = 100;

    // Producer-only reordering state.
    private bool _haveSequence;
    private ushort _expected;
    private readonly byte[] _held = new byte[512];
    private int _heldLength = -1;
    private ushort _heldSequence;
    private G711Law _heldLaw;
    private bool _heldOpus;
    private bool _released;
    private OpusFrameDecoder? _opus;
    private short[] _decoded = [];

    /// <summary>Packets rebuilt from Opus in-band FEC or concealment (one lost packet before a received one).</summary>
    public long RecoveredPackets { get; private set; }

    /// <summary>Set before the first Opus packet (off the receive loop, before the leg's media says Opus).</summary>
    public OpusFrameDecoder? Opus
    {
        get => _opus;
        set
        {
            _decoded = value is null ? [] : new short[Codecs.Opus.MaxPacketSamples];
            _opus = value;
        }
    }

    // Consumer-only concealment state.
    private readonly short[] _last = new short[AudioFormat.SamplesPerFrame];
    private int _concealed = int.MaxValue;

    /// <summary>Packets dropped for arriving after later audio was already released.</summary>
    public long LatePackets { get; private set; }

    /// <summary>Producer: one RTP payload with its sequence number, put in order (see the class remarks).</summary>
    public void WritePacket(ushort sequence, G711Law law, ReadOnlySpan<byte> payload) => WritePacket(sequence, law, false, payload);

    /// <summary>Producer: one Opus payload (decoded with <see cref="Opus"/>), put in order like G.711.</summary>
    public void WriteOpusPacket(ushort sequence, ReadOnlySpan<byte> payload) => WritePacket(sequence, G711Law.Ulaw, true, payload);

    private void WritePacket(ushort sequence, G711Law law, bool opus, ReadOnlySpan<byte> payload)
    {
        if (!_haveSequence)
        {
            _haveSequence = true;
            Release(sequence, law, opus, payload);
            return;
        }
        var delta = (short)(sequence - _expected); // RFC 3550 §A.1: modular 16-bit distance
        if (Math.Abs((int)delta) > ResyncPackets)
        {
            ReleaseHeld();
            Release(sequence, law, opus, payload);
            return;
        }
        if (delta < 0)
        {
            LatePackets++;
            return;
        }
        if (delta == 0)
        {
            Release(sequence, law, opus, payload);
            if (_heldLength >= 0 && _heldSequence == _expected) ReleaseHeld();
            return;
        }
        if (_heldLength < 0 && payload.Length <= _held.Length)
        {
            payload.CopyTo(_held);
            _heldLength = payload.Length;
            _heldSequence = sequence;
            _heldLaw = law;
            _heldOpus = opus;
            return;
        }
        // A second packet past the gap: the missing one is lost, not late. Release in order and move on.
        if (_heldLength >= 0 && (short)(_heldSequence - sequence) < 0)
        {
            ReleaseHeld();
            Release(sequence, law, opus, payload);
        }
        else
        {
            Release(sequence, law, opus, payload);
            ReleaseHeld();
        }
    }

    private void Release(ushort sequence, G711Law law, bool opus, ReadOnlySpan<byte> payload)
    {
        if (opus) DecodeOpus((ushort)(sequence - _expected), payload);
        else WriteEncoded(law, payload);
        _released = true;
        _expected = (ushort)(sequence + 1); // callers release only at or after _expected
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DecodeOpus(ushort missing, ReadOnlySpan<byte> payload)
    {
        if (_opus is not { } decoder) return;
        if (_released && missing == 1)
        {
            var lost = decoder.DecodeLost(payload, _decoded);
            if (lost > 0)
            {
                WritePcm(_decoded.AsSpan(0, lost));
                RecoveredPackets++;
            }
        }
        var n = decoder.Decode(payload, _decoded);
        if (n > 0) WritePcm(_decoded.AsSpan(0, n));
    }

    private void ReleaseHeld()
    {
        if (_heldLength < 0) return;
        var length = _heldLength;
        _heldLength = -1;
        if ((short)(_heldSequence - _expected) < 0)
        {
            LatePackets++;
            return;
        }
        Release(_heldSequence, _heldLaw, _heldOpus, _held.AsSpan(0, length));
    }

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

    /// <summary>Producer: copies decoded PCM into the ring; drops it when the ring is full.</summary>
    private void WritePcm(ReadOnlySpan<short> pcm)
    {
        var written = _written;
        var free = _ring.Length - (int)(written - Volatile.Read(ref _read));
        if (pcm.Length > free) return;
        var at = (int)(written % _ring.Length);
        var first = Math.Min(pcm.Length, _ring.Length - at);
        pcm[..first].CopyTo(_ring.AsSpan(at, first));
        pcm[first..].CopyTo(_ring);
        Volatile.Write(ref _written, written + pcm.Length);
    }

    /// <summary>Consumer: fills <paramref name="frame"/>; returns the samples that were real audio (the rest is silence).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Read(Span<short> frame)
    {
        var read = _read;
        var available = (int)(Volatile.Read(ref _written) - read);
        if (available > HighWaterSamples)
        {
            read += available - TrimToSamples;
            available = TrimToSamples;
        }
        if (available == 0 && frame.Length == _last.Length && _concealed < 2)
        {
            // Gap concealment: the last frame again, fading (−6 dB per repeat), so a lost packet is not a click.
            _concealed++;
            for (var i = 0; i < frame.Length; i++) frame[i] = (short)(_last[i] >> _concealed);
            return 0;
        }
        var n = Math.Min(frame.Length, available);
        var at = (int)(read % _ring.Length);
        var first = Math.Min(n, _ring.Length - at);
        _ring.AsSpan(at, first).CopyTo(frame);
        _ring.AsSpan(0, n - first).CopyTo(frame[first..]);
        frame[n..].Clear();
        Volatile.Write(ref _read, read + n);
        if (n == frame.Length && n == _last.Length)
        {
            frame.CopyTo(_last);
            _concealed = 0;
        }
        else if (n == 0)
        {
            _concealed = int.MaxValue; // silence after the fade: conceal again only after real audio
        }
        return n;
    }
}
