using System.Globalization;
using Hotline.Cti.Media;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Sources;

namespace Hotline.MediaBench;

/// <summary>
/// <c>--frame-cost N</c>: the source side of a sent packet, both ways, in one process on one thread: N hold-music
/// players read PCM and G.711-encode it (before), or copy their clip's shared encoding (IEncodedFrameSource). Thread
/// CPU time (/proc/thread-self/schedstat), so other processes on the machine do not count.
/// </summary>
internal static class FrameCost
{
    public static void Run(SoundLibrary library, int players, int rounds = 5)
    {
        var pcm = new short[AudioFormat.SamplesPerFrame];
        var payload = new byte[AudioFormat.SamplesPerFrame];
        var pcmPlayers = Enumerable.Range(0, players).Select(library.HoldMusic).ToArray();
        var sharedPlayers = Enumerable.Range(0, players).Select(library.HoldMusic).ToArray();
        const int ticks = 250; // 5 s of audio per round
        for (var round = 0; round < rounds; round++)
        {
            var t0 = ThreadNanoseconds();
            for (var t = 0; t < ticks; t++)
                foreach (var p in pcmPlayers)
                {
                    p.ReadFrame(pcm);
                    G711.Encode(G711Law.Ulaw, pcm, payload);
                }
            var t1 = ThreadNanoseconds();
            for (var t = 0; t < ticks; t++)
                foreach (var p in sharedPlayers)
                    if (!p.TryReadEncodedFrame(G711Law.Ulaw, payload))
                    {
                        p.ReadFrame(pcm);
                        G711.Encode(G711Law.Ulaw, pcm, payload);
                    }
            var t2 = ThreadNanoseconds();
            var frames = (double)ticks * players;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| frame cost, {players} players, round {round + 1} | read PCM + encode: **{(t1 - t0) / frames / 1000:F3} µs** | shared encoding: **{(t2 - t1) / frames / 1000:F3} µs** | load avg {File.ReadAllText("/proc/loadavg")[..14]} |"));
        }
    }

    private static long ThreadNanoseconds()
    {
        var s = File.ReadAllText("/proc/thread-self/schedstat");
        return long.Parse(s.AsSpan(0, s.IndexOf(' ')), CultureInfo.InvariantCulture);
    }
}
