using System.Buffers.Binary;
using System.Text;

namespace Hotline.Cti.Media.Rtp;

/// <summary>
/// Minimal RTCP (RFC 3550 §6): we send a compound SR + SDES(CNAME) every 5 s and read the report block about our
/// stream from the peer's SR/RR. Nothing else (no BYE/APP handling, no RTCP-based timeouts).
/// </summary>
public static class RtcpPacket
{
    public const byte SenderReport = 200;
    public const byte ReceiverReport = 201;
    public const byte SourceDescription = 202;
    private static readonly DateTime NtpEpoch = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The 64-bit NTP timestamp of <paramref name="time"/> (RFC 3550 §4).</summary>
    public static ulong ToNtp(DateTimeOffset time)
    {
        var ticks = time.UtcDateTime.Ticks - NtpEpoch.Ticks;
        var seconds = (ulong)(ticks / TimeSpan.TicksPerSecond);
        var fraction = (ulong)((ticks % TimeSpan.TicksPerSecond) * 4294967296.0 / TimeSpan.TicksPerSecond);
        return (seconds << 32) | fraction;
    }

    /// <summary>Writes SR (+ one report block when <paramref name="block"/> is given) + SDES CNAME; returns the length.</summary>
    public static int WriteSenderReport(Span<byte> d, uint ssrc, ulong ntp, uint rtpTimestamp, uint packets, uint octets,
        ReportBlock? block, ReadOnlySpan<byte> cname)
    {
        var rc = block is null ? 0 : 1;
        var srLength = 28 + (24 * rc);
        d[0] = (byte)(0x80 | rc);
        d[1] = SenderReport;
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)((srLength / 4) - 1));
        BinaryPrimitives.WriteUInt32BigEndian(d[4..], ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(d[8..], ntp);
        BinaryPrimitives.WriteUInt32BigEndian(d[16..], rtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(d[20..], packets);
        BinaryPrimitives.WriteUInt32BigEndian(d[24..], octets);
        if (block is { } b) b.Write(d[28..]);
        // RFC 3550 §6.5: SDES with one chunk: SSRC, CNAME item, null terminator, padded to 32 bits.
        var s = d[srLength..];
        var itemLength = Math.Min(cname.Length, 255);
        var chunk = 4 + 2 + itemLength + 1;
        var padded = (chunk + 3) & ~3;
        s[0] = 0x81;
        s[1] = SourceDescription;
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], (ushort)(padded / 4));
        BinaryPrimitives.WriteUInt32BigEndian(s[4..], ssrc);
        s[8] = 1; // CNAME
        s[9] = (byte)itemLength;
        cname[..itemLength].CopyTo(s[10..]);
        s.Slice(10 + itemLength, padded - chunk + 1).Clear();
        return srLength + 4 + padded;
    }

    /// <summary>
    /// Walks a compound RTCP packet; returns the report block about <paramref name="ourSsrc"/> if any, and the
    /// sender's NTP time when an SR is present. False when it is not RTCP.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> p, uint ourSsrc, out ReportBlock? aboutUs, out ulong? senderNtp)
    {
        aboutUs = null;
        senderNtp = null;
        if (p.Length < 8) return false;
        var any = false;
        while (p.Length >= 4)
        {
            if (p[0] >> 6 != 2) return any;
            var count = p[0] & 0x1F;
            var type = p[1];
            var length = (BinaryPrimitives.ReadUInt16BigEndian(p[2..]) + 1) * 4;
            if (length > p.Length) return any;
            var body = p[..length];
            var blocks = type switch { SenderReport => 28, ReceiverReport => 8, _ => -1 };
            if (type == SenderReport && length >= 28) senderNtp = BinaryPrimitives.ReadUInt64BigEndian(body[8..]);
            if (blocks > 0)
            {
                any = true;
                for (var i = 0; i < count && blocks + 24 <= length; i++, blocks += 24)
                {
                    var block = ReportBlock.Read(body[blocks..]);
                    if (block.Ssrc == ourSsrc) aboutUs = block;
                }
            }
            p = p[length..];
        }
        return any;
    }

    public static byte[] DefaultCname(uint ssrc) => Encoding.ASCII.GetBytes($"hotline-{ssrc:x8}");
}

/// <summary>An RFC 3550 §6.4.1 reception report block.</summary>
public readonly record struct ReportBlock(uint Ssrc, byte FractionLost, int CumulativeLost, uint HighestSequence, uint Jitter, uint Lsr, uint Dlsr)
{
    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32BigEndian(d, Ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(d[4..], ((uint)FractionLost << 24) | ((uint)CumulativeLost & 0xFFFFFF));
        BinaryPrimitives.WriteUInt32BigEndian(d[8..], HighestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(d[12..], Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(d[16..], Lsr);
        BinaryPrimitives.WriteUInt32BigEndian(d[20..], Dlsr);
    }

    public static ReportBlock Read(ReadOnlySpan<byte> d)
    {
        var lost = BinaryPrimitives.ReadUInt32BigEndian(d[4..]);
        var cumulative = (int)(lost & 0xFFFFFF);
        if ((cumulative & 0x800000) != 0) cumulative -= 0x1000000; // 24-bit signed
        return new ReportBlock(BinaryPrimitives.ReadUInt32BigEndian(d), (byte)(lost >> 24), cumulative,
            BinaryPrimitives.ReadUInt32BigEndian(d[8..]), BinaryPrimitives.ReadUInt32BigEndian(d[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(d[16..]), BinaryPrimitives.ReadUInt32BigEndian(d[20..]));
    }
}
