using Hotline.Cti.Media.Codecs;

namespace Hotline.Cti.Tests.Media.Codecs;

/// <summary>
/// G.711 against the ITU-T G.191 reference (STL g711.c), written out plainly here: every 16-bit input and every code.
/// </summary>
public class G711Tests
{
    [Test]
    public void Ulaw_encode_matches_G191_for_all_65536_inputs()
    {
        var mismatches = 0;
        for (var i = short.MinValue; i <= short.MaxValue; i++)
        {
            if (G711.LinearToUlaw((short)i) != RefUlawCompress((short)i)) mismatches++;
            if (i == short.MaxValue) break;
        }
        Assert.That(mismatches, Is.Zero);
    }

    [Test]
    public void Alaw_encode_matches_G191_for_all_65536_inputs()
    {
        var mismatches = 0;
        for (int i = short.MinValue; i <= short.MaxValue; i++)
            if (G711.LinearToAlaw((short)i) != RefAlawCompress((short)i)) mismatches++;
        Assert.That(mismatches, Is.Zero);
    }

    [Test]
    public void Decode_matches_G191_for_all_256_codes()
    {
        for (var code = 0; code < 256; code++)
        {
            Assert.That(G711.UlawToLinear((byte)code), Is.EqualTo(RefUlawExpand((byte)code)), $"μ-law code {code:X2}");
            Assert.That(G711.AlawToLinear((byte)code), Is.EqualTo(RefAlawExpand((byte)code)), $"A-law code {code:X2}");
        }
    }

    [Test]
    public void Known_values_from_the_standard()
    {
        Assert.Multiple(() =>
        {
            Assert.That(G711.LinearToUlaw(0), Is.EqualTo(0xFF));
            Assert.That(G711.LinearToAlaw(0), Is.EqualTo(0xD5));
            Assert.That(G711.UlawToLinear(0x00), Is.EqualTo(-32124));
            Assert.That(G711.UlawToLinear(0x80), Is.EqualTo(32124));
            Assert.That(G711.AlawToLinear(0xAA), Is.EqualTo(32256));
            Assert.That(G711.AlawToLinear(0x55), Is.EqualTo(-8));
            Assert.That(G711.SilenceCode(G711Law.Ulaw), Is.EqualTo(G711.LinearToUlaw(0)));
        });
    }

    [Test]
    public void Span_encode_decode_round_trips_within_quantisation()
    {
        var pcm = new short[160];
        for (var i = 0; i < pcm.Length; i++) pcm[i] = (short)(10000 * Math.Sin(i * 0.3));
        foreach (var law in new[] { G711Law.Ulaw, G711Law.Alaw })
        {
            var encoded = new byte[160];
            var decoded = new short[160];
            G711.Encode(law, pcm, encoded);
            G711.Decode(law, encoded, decoded);
            for (var i = 0; i < pcm.Length; i++)
                Assert.That(Math.Abs(decoded[i] - pcm[i]), Is.LessThanOrEqualTo(Math.Abs(pcm[i]) / 16 + 16), $"{law} sample {i}");
        }
    }

    // ---- ITU-T G.191 STL g711.c, transcribed ----

    private static byte RefAlawCompress(short lin)
    {
        int ix = lin < 0 ? (~lin) >> 4 : lin >> 4;
        if (ix > 15)
        {
            var iexp = 1;
            while (ix > 16 + 15) { ix >>= 1; iexp++; }
            ix -= 16;
            ix += iexp << 4;
        }
        if (lin >= 0) ix |= 0x0080;
        return (byte)(ix ^ 0x0055);
    }

    private static short RefAlawExpand(byte log)
    {
        var ix = (log ^ 0x0055) & 0x007F;
        var iexp = ix >> 4;
        var mant = ix & 0x000F;
        if (iexp > 0) mant += 16;
        mant = (mant << 4) + 0x0008;
        if (iexp > 1) mant <<= iexp - 1;
        return (short)(log > 127 ? mant : -mant);
    }

    private static byte RefUlawCompress(short lin)
    {
        int absno = lin < 0 ? ((~lin) >> 2) + 33 : (lin >> 2) + 33;
        if (absno > 0x1FFF) absno = 0x1FFF;
        var i = absno >> 6;
        var segno = 1;
        while (i != 0) { segno++; i >>= 1; }
        var highNibble = 0x0008 - segno;
        var lowNibble = 0x000F - ((absno >> segno) & 0x000F);
        var log = (highNibble << 4) | lowNibble;
        if (lin >= 0) log |= 0x0080;
        return (byte)log;
    }

    private static short RefUlawExpand(byte log)
    {
        var sign = log < 0x0080 ? -1 : 1;
        var mantissa = ~log;
        var exponent = (mantissa >> 4) & 0x0007;
        var segment = exponent + 1;
        mantissa &= 0x000F;
        var step = 4 << segment;
        return (short)(sign * ((0x0080 << exponent) + (step * mantissa) + (step / 2) - (4 * 33)));
    }
}
