using System.Buffers.Binary;

namespace Hotline.EndToEnd.Tests.AfterCall;

/// <summary>
/// Writes a libpcap file (Ethernet / IPv4 / UDP / RTP) of a PCMU tone, one 20 ms packet per frame, for sipp's
/// <c>play_pcap_audio</c> (sipp ships DTMF and one speech pcap only; a tone lets a test tell who said what).
/// </summary>
internal static class RtpPcap
{
    private const int SampleRate = 8000;
    private const int FrameSamples = 160;

    public static string WriteTone(string folder, int hz, double seconds, double amplitude = 0.4)
    {
        var path = Path.Combine(folder, $"tone-{hz}.pcap");
        using var file = File.Create(path);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b2c3d4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 1); // LINKTYPE_ETHERNET
        file.Write(header);
        var frames = (int)(seconds * SampleRate / FrameSamples);
        var packet = new byte[14 + 20 + 8 + 12 + FrameSamples];
        var record = new byte[16];
        for (var f = 0; f < frames; f++)
        {
            Array.Clear(packet);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(12), 0x0800); // IPv4
            var ip = packet.AsSpan(14);
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(packet.Length - 14));
            ip[8] = 64;
            ip[9] = 17; // UDP
            ip[12] = 127; ip[15] = 1; ip[16] = 127; ip[19] = 1;
            var udp = packet.AsSpan(34);
            BinaryPrimitives.WriteUInt16BigEndian(udp, 6000);
            BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 6002);
            BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(packet.Length - 34));
            var rtp = packet.AsSpan(42);
            rtp[0] = 0x80;
            rtp[1] = (byte)(f == 0 ? 0x80 : 0); // RFC 3550 marker on the first packet; PT 0 = PCMU
            BinaryPrimitives.WriteUInt16BigEndian(rtp[2..], (ushort)f);
            BinaryPrimitives.WriteUInt32BigEndian(rtp[4..], (uint)(f * FrameSamples));
            BinaryPrimitives.WriteUInt32BigEndian(rtp[8..], 0x10AD2026);
            for (var i = 0; i < FrameSamples; i++)
            {
                var n = (f * FrameSamples) + i;
                rtp[12 + i] = Ulaw((short)(amplitude * short.MaxValue * Math.Sin(2 * Math.PI * hz * n / SampleRate)));
            }
            var micros = (long)f * 20_000;
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(micros / 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), (uint)(micros % 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), (uint)packet.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12), (uint)packet.Length);
            file.Write(record);
            file.Write(packet);
        }
        return path;
    }

    /// <summary>ITU-T G.711 µ-law, the classic bias-and-segment encoder.</summary>
    private static byte Ulaw(short sample)
    {
        const int Bias = 0x84, Clip = 32635;
        var sign = (sample >> 8) & 0x80;
        int pcm = sample;
        if (sign != 0) pcm = -pcm;
        if (pcm > Clip) pcm = Clip;
        pcm += Bias;
        var exponent = 7;
        for (var mask = 0x4000; (pcm & mask) == 0 && exponent > 0; mask >>= 1) exponent--;
        var mantissa = (pcm >> (exponent + 3)) & 0x0F;
        return (byte)~(sign | (exponent << 4) | mantissa);
    }
}
