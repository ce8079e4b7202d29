using Hotline.Cti.Media;
using Hotline.Cti.Media.Sources;

namespace Hotline.AcdEngine.Conference;

/// <summary>What the agent hears when a department could not be reached: three short low beeps (a "failed" cadence).</summary>
public static class ConsultTones
{
    /// <summary>480 Hz, 200 ms on / 200 ms off, three times (≈ 1.2 s): short enough not to keep the caller waiting.</summary>
    public static IAudioSource Failed() => new ToneSource(480, 0, onMs: 200, offMs: 200, repeat: 3);
}
