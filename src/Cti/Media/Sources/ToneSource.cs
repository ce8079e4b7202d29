namespace Hotline.Cti.Media.Sources;

/// <summary>
/// A cadenced tone of one or two frequencies: on for <c>onMs</c>, off for <c>offMs</c>, repeated
/// <c>repeat</c> times (0 = forever). Sine phase is kept across frames so the tone has no clicks.
/// </summary>
public sealed class ToneSource : IAudioSource
{
    private readonly double _step1;
    private readonly double _step2;
    private readonly double _amplitude;
    private readonly int _onSamples;
    private readonly int _cycleSamples;
    private readonly int _repeat;
    private double _phase1;
    private double _phase2;
    private long _position;

    /// <summary>Makes a tone; <c>level</c> is the peak amplitude as a fraction of full scale, shared by both frequencies.</summary>
    public ToneSource(double frequency1, double frequency2, int onMs, int offMs, int repeat, double level = 0.25)
    {
        if (frequency1 <= 0 || frequency1 >= AudioFormat.SampleRate / 2)
            throw new ArgumentOutOfRangeException(nameof(frequency1), frequency1, "Tone frequency must be between 0 and 4000 Hz.");
        if (frequency2 < 0 || frequency2 >= AudioFormat.SampleRate / 2)
            throw new ArgumentOutOfRangeException(nameof(frequency2), frequency2, "Second frequency must be 0 (none) or below 4000 Hz.");
        if (onMs <= 0) throw new ArgumentOutOfRangeException(nameof(onMs), onMs, "A tone must be on for some time.");
        if (offMs < 0 || repeat < 0) throw new ArgumentOutOfRangeException(nameof(offMs));
        if (level is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(level), level, "Level is a fraction of full scale (0, 1].");
        _step1 = 2 * Math.PI * frequency1 / AudioFormat.SampleRate;
        _step2 = 2 * Math.PI * frequency2 / AudioFormat.SampleRate;
        _amplitude = short.MaxValue * level / (frequency2 > 0 ? 2 : 1);
        _onSamples = onMs * AudioFormat.SampleRate / 1000;
        _cycleSamples = _onSamples + (offMs * AudioFormat.SampleRate / 1000);
        _repeat = repeat;
    }

    /// <summary>A steady tone of any frequency for <paramref name="durationMs"/> (0 = forever).</summary>
    public static ToneSource Sine(double hz, int durationMs = 0, double level = 0.25) =>
        durationMs == 0 ? new ToneSource(hz, 0, 1000, 0, 0, level) : new ToneSource(hz, 0, durationMs, 0, 1, level);

    /// <summary>Ringback as heard in China (GB 3380): 450 Hz, 1 s on, 4 s off.</summary>
    public static ToneSource Ringback() => new(450, 0, 1000, 4000, 0);

    /// <summary>Busy (GB 3380): 450 Hz, 350 ms on, 350 ms off.</summary>
    public static ToneSource Busy() => new(450, 0, 350, 350, 0);

    /// <summary>A short 1 kHz beep (before recording, at conference join).</summary>
    public static ToneSource Beep() => new(1000, 0, 200, 0, 1);

    public bool ReadFrame(Span<short> frame)
    {
        if (_repeat > 0 && _position >= (long)_cycleSamples * _repeat)
        {
            frame.Clear();
            return false;
        }
        for (var i = 0; i < frame.Length; i++)
        {
            var inCycle = (int)(_position % _cycleSamples);
            double value = 0;
            if (inCycle < _onSamples && (_repeat == 0 || _position < (long)_cycleSamples * _repeat))
                value = _amplitude * (Math.Sin(_phase1) + (_step2 > 0 ? Math.Sin(_phase2) : 0));
            frame[i] = (short)value;
            _phase1 += _step1;
            _phase2 += _step2;
            if (_phase1 > 2 * Math.PI) _phase1 -= 2 * Math.PI;
            if (_phase2 > 2 * Math.PI) _phase2 -= 2 * Math.PI;
            _position++;
        }
        return true;
    }
}
