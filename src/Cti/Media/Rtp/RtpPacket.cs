using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Hotline.Cti.Media.Rtp;

/// <summary>The fixed RTP header (RFC 3550 §5.1), parsed from and written to spans without allocating.</summary>
public readonly ref struct RtpPacket
{
    /// <summary>RFC 3550 §5.1: 12 bytes before CSRCs.</summary>
    public const int HeaderLength = 12;

    public RtpPacket(bool marker, byte payloadType, ushort sequenceNumber, uint timestamp, uint ssrc, ReadOnlySpan<byte> payload)
    {
        Marker = marker;
        PayloadType = payloadType;
        SequenceNumber = sequenceNumber;
        Timestamp = timestamp;
        Ssrc = ssrc;
        Payload = payload;
    }

    public bool Marker { get; }
    public byte PayloadType { get; }
    public ushort SequenceNumber { get; }
    public uint Timestamp { get; }
    public uint Ssrc { get; }
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>
    /// Parses an RTP datagram. Returns false (with no exception) for anything that is not RTP version 2 with a
    /// consistent length: RFC 3550 §A.1 header validity checks.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out RtpPacket packet)
    {
        packet = default;
        if (datagram.Length < HeaderLength) return false;
        var b0 = datagram[0];
        if (b0 >> 6 != 2) return false;
        var padding = (b0 & 0x20) != 0;
        var extension = (b0 & 0x10) != 0;
        var csrcCount = b0 & 0x0F;
        var b1 = datagram[1];
        var payloadType = (byte)(b1 & 0x7F);
        // RFC 5761 §4: 72–76 would be RTCP SR/RR/SDES/BYE/APP on a muxed port.
        if (payloadType is >= 72 and <= 76) return false;
        var offset = HeaderLength + (4 * csrcCount);
        if (datagram.Length < offset) return false;
        if (extension)
        {
            if (datagram.Length < offset + 4) return false;
            var words = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            offset += 4 + (4 * words);
            if (datagram.Length < offset) return false;
        }
        var end = datagram.Length;
        if (padding)
        {
            var pad = datagram[^1];
            if (pad == 0 || end - pad < offset) return false;
            end -= pad;
        }
        packet = new RtpPacket(
            (b1 & 0x80) != 0,
            payloadType,
            BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(datagram[8..]),
            datagram[offset..end]);
        return true;
    }

    /// <summary>Writes the 12-byte header (no CSRC, no extension) into <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WriteHeader(Span<byte> destination, bool marker, byte payloadType, ushort sequenceNumber, uint timestamp, uint ssrc)
    {
        destination[0] = 0x80; // V=2, P=0, X=0, CC=0
        destination[1] = (byte)((marker ? 0x80 : 0) | (payloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
    }
}
