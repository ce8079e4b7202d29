using System.Runtime.CompilerServices;

namespace Hotline.Cti.Media.Codecs;

/// <summary>
/// ITU-T G.711 μ-law (PCMU) and A-law (PCMA), table-driven. Encode tables cover all 65536 linear inputs,
/// decode tables all 256 codes; both are built once from the ITU G.191 reference algorithm (g711.c) and are
/// bit-exact with it (see the test that recomputes every value).
/// </summary>
public static class G711
{
    private static readonly byte[] UlawEncodeTable = BuildEncodeTable(ReferenceLinearToUlaw);
    private static readonly byte[] AlawEncodeTable = BuildEncodeTable(ReferenceLinearToAlaw);
    private static readonly short[] UlawDecodeTable = BuildDecodeTable(ReferenceUlawToLinear);
    private static readonly short[] AlawDecodeTable = BuildDecodeTable(ReferenceAlawToLinear);

    public static byte LinearToUlaw(short sample) => UlawEncodeTable[(ushort)sample];
    public static byte LinearToAlaw(short sample) => AlawEncodeTable[(ushort)sample];
    public static short UlawToLinear(byte code) => UlawDecodeTable[code];
    public static short AlawToLinear(byte code) => AlawDecodeTable[code];

    /// <summary>Encodes <paramref name="pcm"/> into <paramref name="payload"/> (one byte per sample).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Encode(G711Law law, ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        var table = law == G711Law.Ulaw ? UlawEncodeTable : AlawEncodeTable;
        payload = payload[..pcm.Length];
        for (var i = 0; i < pcm.Length; i++)
            payload[i] = table[(ushort)pcm[i]];
    }

    /// <summary>Decodes <paramref name="payload"/> into <paramref name="pcm"/> (one sample per byte).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Decode(G711Law law, ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        var table = law == G711Law.Ulaw ? UlawDecodeTable : AlawDecodeTable;
        pcm = pcm[..payload.Length];
        for (var i = 0; i < payload.Length; i++)
            pcm[i] = table[payload[i]];
    }

    /// <summary>The code for digital silence: μ-law 0xFF, A-law 0xD5.</summary>
    public static byte SilenceCode(G711Law law) => law == G711Law.Ulaw ? (byte)0xFF : (byte)0xD5;

    private static byte[] BuildEncodeTable(Func<short, byte> encode)
    {
        var table = new byte[65536];
        for (var i = 0; i < 65536; i++)
            table[i] = encode((short)(ushort)i);
        return table;
    }

    private static short[] BuildDecodeTable(Func<byte, short> decode)
    {
        var table = new short[256];
        for (var i = 0; i < 256; i++)
            table[i] = decode((byte)i);
        return table;
    }

    // G.191 g711.c alaw_compress: input is 16-bit linear, only the top 13 bits are used.
    private static byte ReferenceLinearToAlaw(short sample)
    {
        int ix = sample < 0 ? (~sample) >> 4 : sample >> 4; // 1's complement for negatives
        if (ix > 15)
        {
            var iexp = 1;
            while (ix > 16 + 15)
            {
                ix >>= 1;
                iexp++;
            }
            ix -= 16;
            ix += iexp << 4;
        }
        if (sample >= 0) ix |= 0x0080;
        return (byte)(ix ^ 0x0055);
    }

    // G.191 g711.c alaw_expand.
    private static short ReferenceAlawToLinear(byte code)
    {
        var ix = code ^ 0x0055;
        ix &= 0x007F;
        var iexp = ix >> 4;
        var mant = ix & 0x000F;
        if (iexp > 0) mant += 16;
        mant = (mant << 4) + 0x0008;
        if (iexp > 1) mant <<= iexp - 1;
        return (short)(code > 127 ? mant : -mant);
    }

    // G.191 g711.c ulaw_compress: 14-bit magnitude with bias 33.
    private static byte ReferenceLinearToUlaw(short sample)
    {
        var absno = sample < 0 ? ((~sample) >> 2) + 33 : (sample >> 2) + 33;
        if (absno > 0x1FFF) absno = 0x1FFF;
        var i = absno >> 6;
        var segno = 1;
        while (i != 0)
        {
            segno++;
            i >>= 1;
        }
        var high = 0x0008 - segno;
        var low = 0x000F - ((absno >> segno) & 0x000F);
        var code = (high << 4) | low;
        if (sample >= 0) code |= 0x0080;
        return (byte)code;
    }

    // G.191 g711.c ulaw_expand.
    private static short ReferenceUlawToLinear(byte code)
    {
        var sign = code < 0x0080 ? -1 : 1;
        var mantissa = ~code;
        var exponent = (mantissa >> 4) & 0x0007;
        var segment = exponent + 1;
        mantissa &= 0x000F;
        var step = 4 << segment;
        var value = sign * ((0x0080 << exponent) + step * mantissa + step / 2 - 4 * 33);
        return (short)value;
    }
}

/// <summary>Which G.711 companding law.</summary>
public enum G711Law
{
    /// <summary>μ-law, RTP payload type 0 (PCMU).</summary>
    Ulaw,
    /// <summary>A-law, RTP payload type 8 (PCMA).</summary>
    Alaw,
}
