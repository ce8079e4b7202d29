namespace Hotline.Cti.Media.WebRtc;

/// <summary>What arrived on a media socket that carries STUN, DTLS and (S)RTP together (RFC 7983 §7, RFC 5764 §5.1.2).</summary>
public enum MediaPacketKind
{
    /// <summary>First byte 0-3: a STUN message (ICE connectivity checks).</summary>
    Stun,

    /// <summary>First byte 20-63: a DTLS record (the DTLS-SRTP handshake).</summary>
    Dtls,

    /// <summary>First byte 128-191: RTP or RTCP (rtcp-mux, RFC 5761 §4 tells them apart by payload type).</summary>
    Rtp,

    /// <summary>Anything else (ZRTP 16-19, TURN channels 64-79, garbage): dropped.</summary>
    Other,
}

/// <summary>The RFC 7983 §7 demultiplexing rule: one look at the first byte, nothing allocated.</summary>
public static class MediaPacketDemux
{
    public static MediaPacketKind Classify(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty) return MediaPacketKind.Other;
        var b = packet[0];
        return b switch
        {
            <= 3 => MediaPacketKind.Stun,
            >= 20 and <= 63 => MediaPacketKind.Dtls,
            >= 128 and <= 191 => MediaPacketKind.Rtp,
            _ => MediaPacketKind.Other,
        };
    }
}
