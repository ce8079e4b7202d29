using System.Numerics;
using System.Runtime.CompilerServices;

namespace Hotline.Cti.Media.Codecs;

/// <summary>
/// 48 kHz → 8 kHz for one stream: a linear-phase low-pass FIR (windowed sinc, Blackman window) evaluated at every
/// sixth input sample, with the filter's history carried across calls. Pass band to ~3.4 kHz (telephone band), stop
/// band from 4 kHz (the 8 kHz Nyquist), so what the browser sends above it does not fold back as noise.
/// Inputs must be whole multiples of 6 samples (Opus frames are multiples of 2.5 ms = 120 samples at 48 kHz).
/// Nothing is allocated per call.
/// </summary>
public sealed class Decimator48To8
{
    /// <summary>48 kHz / 8 kHz.</summary>
    public const int Factor = 6;

    // 144 taps: Blackman transition ≈ 5.5 × 48000 / 144 ≈ 1.8 kHz, centred on the cut-off below.
    private const int Taps = 144;
    private const double CutoffHz = 3700;
    private static readonly float[] Kernel = BuildKernel();
    private readonly float[] _window;
    private readonly int _maxInput;

    /// <param name="maxInputSamples">The longest input of one call (48 kHz samples).</param>
    public Decimator48To8(int maxInputSamples)
    {
        _maxInput = maxInputSamples;
        _window = new float[Taps - 1 + maxInputSamples];
    }

    /// <summary>Filters and decimates <paramref name="input"/> (48 kHz) into <paramref name="output"/>; returns the 8 kHz samples written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        if (input.Length > _maxInput || input.Length % Factor != 0)
            throw new ArgumentException($"input must be a multiple of {Factor} samples, at most {_maxInput}", nameof(input));
        var window = _window.AsSpan();
        var fresh = window.Slice(Taps - 1, input.Length);
        for (var i = 0; i < input.Length; i++) fresh[i] = input[i];
        var kernel = Kernel.AsSpan();
        var count = input.Length / Factor;
        for (var o = 0; o < count; o++)
        {
            // Output o is centred on input (o + 1) × 6 − 1 of this call, delayed by the filter's half length.
            var y = Dot(window.Slice((o + 1) * Factor - 1, Taps), kernel);
            output[o] = (short)Math.Clamp(MathF.Round(y), short.MinValue, short.MaxValue);
        }
        // Keep the last Taps − 1 inputs as the next call's history.
        window.Slice(input.Length, Taps - 1).CopyTo(window);
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        var i = 0;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            sum += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
        var total = Vector.Sum(sum);
        for (; i < a.Length; i++) total += a[i] * b[i];
        return total;
    }

    private static float[] BuildKernel()
    {
        var kernel = new float[Taps];
        var fc = CutoffHz / 48000.0;
        double sum = 0;
        var k = new double[Taps];
        for (var n = 0; n < Taps; n++)
        {
            var m = n - ((Taps - 1) / 2.0);
            var sinc = m == 0 ? 2 * fc : Math.Sin(2 * Math.PI * fc * m) / (Math.PI * m);
            var blackman = 0.42 - (0.5 * Math.Cos(2 * Math.PI * n / (Taps - 1))) + (0.08 * Math.Cos(4 * Math.PI * n / (Taps - 1)));
            k[n] = sinc * blackman;
            sum += k[n];
        }
        for (var n = 0; n < Taps; n++) kernel[n] = (float)(k[n] / sum); // unity gain at DC
        return kernel;
    }
}
