namespace Hotline.Cti.Media.Srtp;

/// <summary>Why an SRTP/SRTCP packet was (not) accepted; everything but <see cref="Ok"/> means "drop it".</summary>
public enum SrtpUnprotectResult
{
    Ok,

    /// <summary>Shorter than a header plus tag, or not RTP/RTCP at all.</summary>
    Malformed,

    /// <summary>RFC 3711 §3.3.2: the index was already received or is behind the replay window.</summary>
    Replayed,

    /// <summary>RFC 3711 §3.3 step 5: the tag does not match (tampered, or encrypted with another key).</summary>
    AuthenticationFailed,
}
