using System.Runtime.CompilerServices;
using Concentus;
using Concentus.Enums;
using Concentus.Structs;

namespace Hotline.Cti.Media.Codecs;

/// <summary>
/// Opus (RFC 6716) at the edge of a browser leg, RFC 7587's RTP payload: the engine mixes, records and plays in
/// 8 kHz mono PCM (<see cref="AudioFormat"/>), so 8 kHz frames are encoded to Opus (RFC 6716 §2: an encoder may run at
/// 8 kHz; the stream is still <c>opus/48000</c>) and a browser's Opus is decoded at 48 kHz and decimated to 8 kHz.
/// Why not decode straight to 8 kHz (RFC 6716 allows any output rate): Concentus 2.2.2 decodes hybrid-mode packets
/// (configurations 12–15, SILK + CELT, what Chromium sends for voice at 32 kbit/s) to silence at output rates below
/// 48 kHz — measured, see OpusTests; reported upstream as lostromb/concentus#67 (open: its decoder always takes
/// libopus's fixed-point-only <c>celt_accum</c> path). Concentus is the managed port of libopus; its native probe is not used (the
/// engine must behave the same whether or not the host has libopus installed).
/// </summary>
public static class Opus
{
    /// <summary>RFC 7587 §4.1: the RTP clock of Opus is always 48 kHz, whatever the audio bandwidth.</summary>
    public const int RtpClockRate = 48000;

    /// <summary>RFC 7587 §4.1: the timestamp step of one 20 ms frame (48 kHz × 20 ms).</summary>
    public const int TimestampPerFrame = RtpClockRate / 1000 * AudioFormat.FrameMilliseconds;

    /// <summary>RFC 7587 §7: the rtpmap is always <c>opus/48000/2</c> (2 channels whether or not stereo is sent).</summary>
    public const string RtpMapEncoding = "opus/48000/2";

    /// <summary>
    /// Our fmtp (RFC 7587 §6.1): 10 ms packets are the shortest we take; we want in-band FEC from the browser (we
    /// decode it for a single lost packet); we play at most 8 kHz (<c>maxplaybackrate</c>) and capture at most 8 kHz
    /// (<c>sprop-maxcapturerate</c>), so a browser may keep to narrowband — which also makes its packets about four
    /// times cheaper to decode (docs/webrtc.md "Opus"). stereo defaults to 0: we receive mono.
    /// </summary>
    public const string Fmtp = "minptime=10;useinbandfec=1;maxplaybackrate=8000;sprop-maxcapturerate=8000";

    /// <summary>The longest Opus packet (RFC 6716 §3.2.1: 120 ms), in 8 kHz samples.</summary>
    public const int MaxPacketSamples = AudioFormat.SampleRate * 120 / 1000;

    /// <summary>
    /// Encodes and decodes one second of a tone so the first browser leg does not pay for compiling Concentus on the
    /// media clock's thread (its first encode took ~180 ms on the loaded test machine, stalling every stream of that
    /// clock lane). Returns how long it took.
    /// </summary>
    public static TimeSpan WarmUp(int bitrate, int complexity, TimeProvider time)
    {
        var started = time.GetTimestamp();
        var encoder = new OpusFrameEncoder(bitrate, complexity);
        var decoder = new OpusFrameDecoder();
        var frame = new short[AudioFormat.SamplesPerFrame];
        var payload = new byte[AudioFormat.SamplesPerFrame];
        var pcm = new short[MaxPacketSamples];
        for (var f = 0; f < 50; f++)
        {
            // A 440 Hz tone written here (codecs know no audio sources: Media.Sources already uses Media.Codecs).
            for (var i = 0; i < frame.Length; i++)
                frame[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * (f * frame.Length + i) / AudioFormat.SampleRate));
            var length = encoder.Encode(frame, payload);
            if (f % 10 == 9) decoder.DecodeLost(payload.AsSpan(0, length), pcm);
            decoder.Decode(payload.AsSpan(0, length), pcm);
        }
        return time.GetElapsedTime(started);
    }
}

/// <summary>
/// One leg's Opus encoder: 20 ms of 8 kHz mono PCM → one Opus packet. Used only by the media clock's thread; nothing
/// is allocated per frame (Concentus encodes span to span into the caller's packet buffer).
/// </summary>
public sealed class OpusFrameEncoder
{
    private readonly OpusEncoder _encoder;

    /// <param name="bitrate">Target bits per second (VBR), 6000–64000.</param>
    /// <param name="complexity">0 (cheapest) – 10 (best); CPU per frame grows with it (docs/webrtc.md "Opus").</param>
    public OpusFrameEncoder(int bitrate, int complexity)
    {
#pragma warning disable CS0618 // The managed encoder on purpose: OpusCodecFactory would probe for a native libopus.
        _encoder = new OpusEncoder(AudioFormat.SampleRate, 1, OpusApplication.OPUS_APPLICATION_VOIP);
#pragma warning restore CS0618
        _encoder.Bitrate = bitrate;
        _encoder.Complexity = complexity;
        _encoder.SignalType = OpusSignal.OPUS_SIGNAL_VOICE;
        // In-band FEC toward the browser (it asks for it with useinbandfec=1); costs a little bitrate, saves a loss.
        _encoder.UseInbandFEC = true;
        _encoder.PacketLossPercent = 5;
    }

    /// <summary>Encodes one 20 ms frame; returns the payload length written to <paramref name="payload"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Encode(ReadOnlySpan<short> frame, Span<byte> payload) =>
        _encoder.Encode(frame[..AudioFormat.SamplesPerFrame], AudioFormat.SamplesPerFrame, payload, payload.Length);
}

/// <summary>
/// One leg's Opus decoder: an Opus packet (any duration, mono or stereo, any mode) → 8 kHz mono PCM, decoded at 48 kHz
/// and decimated (<see cref="Decimator48To8"/>; see <see cref="Opus"/> for why). Used only by the leg's receive loop,
/// in sequence order (the decoder has state); our own buffers are reused (Concentus allocates inside, see
/// docs/webrtc.md "Opus").
/// </summary>
public sealed class OpusFrameDecoder
{
    private const int DecodeRate = 48000;
    private const int MaxPacket48k = DecodeRate * 120 / 1000; // RFC 6716 §3.2.1: 120 ms at most
    private const int Frame48k = DecodeRate / 1000 * AudioFormat.FrameMilliseconds;
    private readonly OpusDecoder _decoder;
    private readonly short[] _pcm48k = new short[MaxPacket48k];
    private readonly Decimator48To8 _decimator = new(MaxPacket48k);

    public OpusFrameDecoder()
    {
#pragma warning disable CS0618 // The managed decoder on purpose (see Opus).
        _decoder = new OpusDecoder(DecodeRate, 1);
#pragma warning restore CS0618
    }

    /// <summary>Decodes one packet into <paramref name="pcm"/> (≥ <see cref="Opus.MaxPacketSamples"/>); returns the 8 kHz samples, or −1 for a corrupt packet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        int n;
        try
        {
            n = _decoder.Decode(payload, _pcm48k, MaxPacket48k, false);
        }
        catch (OpusException)
        {
            return -1; // RFC 6716 §3.4: a malformed packet is dropped; the loss is concealed like any other
        }
        // Opus frames are multiples of 2.5 ms (120 samples at 48 kHz), so always whole for the decimator; never throw here.
        return n <= 0 || n % Decimator48To8.Factor != 0 ? -1 : _decimator.Process(_pcm48k.AsSpan(0, n), pcm);
    }

    /// <summary>
    /// The 20 ms lost just before <paramref name="next"/>, rebuilt from its in-band FEC (RFC 6716 §2.1.7) or, without
    /// FEC, by the decoder's loss concealment; then <paramref name="next"/> is decoded as usual.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int DecodeLost(ReadOnlySpan<byte> next, Span<short> pcm)
    {
        int n;
        try
        {
            // frame_size must be exactly the missing duration for FEC/PLC (libopus opus_decode).
            n = _decoder.Decode(next, _pcm48k, Frame48k, true);
        }
        catch (OpusException)
        {
            return -1;
        }
        // Opus frames are multiples of 2.5 ms (120 samples at 48 kHz), so always whole for the decimator; never throw here.
        return n <= 0 || n % Decimator48To8.Factor != 0 ? -1 : _decimator.Process(_pcm48k.AsSpan(0, n), pcm);
    }
}
