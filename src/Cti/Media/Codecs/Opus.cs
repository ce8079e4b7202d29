using System.Runtime.CompilerServices;
using Concentus;
using Concentus.Enums;
using Concentus.Structs;

namespace Hotline.Cti.Media.Codecs;

/// <summary>
/// Opus (RFC 6716) at the edge of a browser leg, RFC 7587's RTP payload: the engine mixes, records and plays in
/// 8 kHz mono PCM (<see cref="AudioFormat"/>), so a browser leg's Opus is decoded straight to 8 kHz and 8 kHz frames
/// are encoded to Opus. Opus is rate-agnostic on the wire (RFC 6716 §2: any decoder output rate decodes any stream),
/// so no resampler is needed either way. Concentus is the managed port of libopus; its native probe is not used
/// (the engine must behave the same whether or not the host has libopus installed).
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
    /// Our fmtp (RFC 7587 §6.1): 10 ms packets are the shortest we take, and we want in-band FEC from the browser
    /// (we decode it for a single lost packet). stereo defaults to 0: we receive mono.
    /// </summary>
    public const string Fmtp = "minptime=10;useinbandfec=1";

    /// <summary>The longest Opus packet (RFC 6716 §3.2.1: 120 ms), in 8 kHz samples.</summary>
    public const int MaxPacketSamples = AudioFormat.SampleRate * 120 / 1000;
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
/// One leg's Opus decoder: an Opus packet (any duration, mono or stereo) → 8 kHz mono PCM. Used only by the leg's
/// receive loop, in sequence order (the decoder has state); nothing is allocated per packet.
/// </summary>
public sealed class OpusFrameDecoder
{
    private readonly OpusDecoder _decoder;

    public OpusFrameDecoder()
    {
#pragma warning disable CS0618 // The managed decoder on purpose (see Opus).
        _decoder = new OpusDecoder(AudioFormat.SampleRate, 1);
#pragma warning restore CS0618
    }

    /// <summary>Decodes one packet into <paramref name="pcm"/> (≥ <see cref="Opus.MaxPacketSamples"/>); returns the samples, or −1 for a corrupt packet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        try
        {
            return _decoder.Decode(payload, pcm, Opus.MaxPacketSamples, false);
        }
        catch (OpusException)
        {
            return -1; // RFC 6716 §3.4: a malformed packet is dropped; the loss is concealed like any other
        }
    }

    /// <summary>
    /// The 20 ms lost just before <paramref name="next"/>, rebuilt from its in-band FEC (RFC 6716 §2.1.7) or, without
    /// FEC, by the decoder's loss concealment; then <paramref name="next"/> is decoded as usual.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int DecodeLost(ReadOnlySpan<byte> next, Span<short> pcm)
    {
        try
        {
            return _decoder.Decode(next, pcm, AudioFormat.SamplesPerFrame, true);
        }
        catch (OpusException)
        {
            return -1;
        }
    }
}
