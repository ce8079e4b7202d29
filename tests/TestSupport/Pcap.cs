using System.Buffers.Binary;

namespace Hotline.TestSupport;

/// <summary>
/// Reads the UDP payloads of a classic libpcap file (Ethernet, Linux cooked or raw IPv4 link types) — enough to
/// replay sipp's RTP captures and read tcpdump's.
/// </summary>
public static class Pcap
{
    public static List<byte[]> UdpPayloads(string path) => UdpDatagrams(path).Select(d => d.Payload).ToList();

    /// <summary>
    /// The UDP datagrams with their ports, in capture order. A capture still being written (tcpdump -U) may end in a
    /// partial record: it is left out.
    /// </summary>
    public static List<(int SourcePort, int DestinationPort, byte[] Payload)> UdpDatagrams(string path)
    {
        byte[] data;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            data = new byte[file.Length];
            file.ReadExactly(data);
        }
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(data);
        var little = magic is 0xA1B2C3D4 or 0xA1B23C4D;
        if (!little && BinaryPrimitives.ReadUInt32BigEndian(data) is not (0xA1B2C3D4 or 0xA1B23C4D))
            throw new InvalidDataException($"{path}: not a pcap file");
        uint U32(int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at));
        var link = U32(20);
        var linkHeader = link switch { 1 => 14, 113 => 16, 101 or 228 => 0, _ => throw new InvalidDataException($"{path}: link type {link}") };
        var result = new List<(int, int, byte[])>();
        var offset = 24;
        while (offset + 16 <= data.Length)
        {
            var included = (int)U32(offset + 8);
            if (offset + 16 + included > data.Length) break;
            var frame = data.AsSpan(offset + 16, included);
            offset += 16 + included;
            var ip = frame[linkHeader..];
            if (ip.Length < 20 || ip[0] >> 4 != 4 || ip[9] != 17) continue; // IPv4 + UDP only
            var ipHeader = (ip[0] & 0x0F) * 4;
            var udp = ip[ipHeader..];
            var udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
            result.Add((BinaryPrimitives.ReadUInt16BigEndian(udp), BinaryPrimitives.ReadUInt16BigEndian(udp[2..]),
                udp[8..Math.Min(udpLength, udp.Length)].ToArray()));
        }
        return result;
    }
}
