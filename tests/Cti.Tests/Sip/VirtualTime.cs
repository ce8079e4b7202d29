using Microsoft.Extensions.Time.Testing;

namespace Hotline.Cti.Tests.Sip;

/// <summary>
/// Advances a FakeTimeProvider in small steps, so a timer that re-arms itself from its callback (Timer A, E, G)
/// fires at each of its due times inside the span, as it would in real time.
/// </summary>
internal static class VirtualTime
{
    public static void Run(this FakeTimeProvider time, TimeSpan span, int stepMilliseconds = 10)
    {
        var step = TimeSpan.FromMilliseconds(stepMilliseconds);
        var left = span;
        while (left > TimeSpan.Zero)
        {
            var d = left < step ? left : step;
            time.Advance(d);
            left -= d;
        }
    }
}
