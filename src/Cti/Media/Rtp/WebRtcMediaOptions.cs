namespace Hotline.Cti.Media.Rtp;

/// <summary>Configuration section <c>Rtp:WebRtc</c>: codecs of browser legs (docs/webrtc.md "Opus").</summary>
public sealed class WebRtcMediaOptions
{
    /// <summary>
    /// <c>Rtp:WebRtc:Opus</c>: offer Opus (RFC 7587) first to browsers and accept it in their offers; decoded to and
    /// encoded from the engine's 8 kHz PCM at the leg's edge. Off by default: Concentus costs ~130 µs per packet encoded
    /// and ~100 µs decoded on this class of machine against ~17 µs for G.711 (docs/webrtc.md "Opus"), which 200 browser
    /// legs on two cores cannot afford; off, browser legs use PCMU/PCMA, which every browser offers.
    /// </summary>
    public bool Opus { get; set; }

    /// <summary><c>Rtp:WebRtc:OpusBitrate</c>: target bits per second of what we send (VBR), 6000–64000.</summary>
    public int OpusBitrate { get; set; } = 24000;

    /// <summary>
    /// <c>Rtp:WebRtc:OpusComplexity</c>: the encoder's effort, 0–10; it runs on the media clock's threads. Measured
    /// (docs/webrtc.md "Opus"): 0–3 cost the same (~130 µs per packet), 5 about twice that, 10 three times; 3 is the
    /// best voice quality at the lowest cost for our narrowband (8 kHz) input.
    /// </summary>
    public int OpusComplexity { get; set; } = 3;

    /// <summary>Checks the values; returns the problems, each naming its key.</summary>
    public IEnumerable<string> Validate()
    {
        if (OpusBitrate is < 6000 or > 64000)
            yield return $"Rtp:WebRtc:OpusBitrate {OpusBitrate} must be between 6000 and 64000.";
        if (OpusComplexity is < 0 or > 10)
            yield return $"Rtp:WebRtc:OpusComplexity {OpusComplexity} must be between 0 and 10.";
    }
}
