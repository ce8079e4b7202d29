namespace Hotline.Cti.Media.WebRtc;

/// <summary>
/// The CRC-32 of ISO/IEC 13239 / ITU-T V.42 that STUN's FINGERPRINT uses (RFC 8489 §14.7, the same as zlib/PNG):
/// a checksum that tells STUN apart from other traffic on a shared port, not a security mechanism.
/// </summary>
internal static class StunCrc32
{
    private static readonly uint[] Table = Build();

    private static uint[] Build()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }
}
