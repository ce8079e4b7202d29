namespace Hotline.Cti.Tests.Media.Support;

/// <summary>Power of one frequency in a block of samples (Goertzel), normalised by the block's total energy.</summary>
internal static class Goertzel
{
    /// <summary>Relative power of <paramref name="hz"/>: ~1 for a pure tone at hz, ~0 when absent.</summary>
    public static double RelativePower(ReadOnlySpan<short> samples, double hz, int sampleRate = 8000)
    {
        var k = 2 * Math.Cos(2 * Math.PI * hz / sampleRate);
        double s1 = 0, s2 = 0, energy = 0;
        foreach (var x in samples)
        {
            var s0 = x + (k * s1) - s2;
            s2 = s1;
            s1 = s0;
            energy += (double)x * x;
        }
        var power = (s1 * s1) + (s2 * s2) - (k * s1 * s2);
        return energy == 0 ? 0 : 2 * power / (samples.Length * energy);
    }
}
