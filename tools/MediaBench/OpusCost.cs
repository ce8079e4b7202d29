using System.Globalization;
using Concentus.Enums;
using Concentus.Structs;
using Hotline.Cti.Media;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Sources;

namespace Hotline.MediaBench;

/// <summary>
/// <c>--opus-cost N</c>: CPU and allocation per Opus packet at a browser leg's edge, on one thread: encoding N frames
/// of 20 ms hold music (8 kHz → Opus, <see cref="OpusFrameEncoder"/>, per complexity), and decoding N packets to 8 kHz
/// (<see cref="OpusFrameDecoder"/>) of what a browser sends (a 48 kHz mono Opus stream at 32 kbit/s, Chromium's default)
/// and of our own 8 kHz stream. Thread CPU time (/proc/thread-self/schedstat): other processes do not count.
/// </summary>
internal static class OpusCost
{
    public static void Run(SoundLibrary library, int frames, int bitrate)
    {
        var music = new short[frames * AudioFormat.SamplesPerFrame];
        var player = library.HoldMusic(0);
        for (var f = 0; f < frames; f++) player.ReadFrame(music.AsSpan(f * AudioFormat.SamplesPerFrame, AudioFormat.SamplesPerFrame));
        Console.WriteLine($"# Opus per packet (20 ms), {frames} frames each, {bitrate} bit/s, load average {File.ReadAllText("/proc/loadavg")[..14]}");
        Console.WriteLine("| what | complexity | CPU µs/packet | allocated B/packet | mean payload B |");
        Console.WriteLine("|---|---|---|---|---|");
        // Two rounds: the first also warms the JIT (tiered compilation); read the second.
        for (var round = 1; round <= 2; round++)
        {
            Encode(music, frames, bitrate, round);
            Decode($"round {round}: decode our 8 kHz Opus → 8 kHz", Packets(music, frames, browser: false), frames);
            Decode($"round {round}: decode a browser's 48 kHz full-band Opus → 8 kHz", Packets(music, frames, browser: true), frames);
            Decode($"round {round}: decode a browser's 48 kHz narrowband Opus (maxplaybackrate=8000) → 8 kHz", Packets(music, frames, browser: true, narrowband: true), frames);
        }
    }

    private static void Encode(short[] music, int frames, int bitrate, int round)
    {
        var payload = new byte[AudioFormat.SamplesPerFrame];
        foreach (var complexity in new[] { 0, 1, 3, 5, 10 })
        {
            var encoder = new OpusFrameEncoder(bitrate, complexity);
            for (var f = 0; f < 100; f++) encoder.Encode(Frame(music, f), payload); // warm (JIT, codec state)
            long bytes = 0;
            var (t0, a0) = (ThreadNanoseconds(), GC.GetAllocatedBytesForCurrentThread());
            for (var f = 0; f < frames; f++) bytes += encoder.Encode(Frame(music, f), payload);
            var (t1, a1) = (ThreadNanoseconds(), GC.GetAllocatedBytesForCurrentThread());
            Row($"round {round}: encode 8 kHz → Opus", complexity.ToString(CultureInfo.InvariantCulture), t1 - t0, a1 - a0, bytes, frames);
        }
    }

    private static ReadOnlySpan<short> Frame(short[] music, int f) =>
        music.AsSpan(f * AudioFormat.SamplesPerFrame, AudioFormat.SamplesPerFrame);

    private static List<byte[]> Packets(short[] music, int frames, bool browser, bool narrowband = false)
    {
        var packets = new List<byte[]>(frames);
        var payload = new byte[1275];
        if (!browser)
        {
            var ours = new OpusFrameEncoder(24000, 5);
            for (var f = 0; f < frames; f++) packets.Add(payload[..ours.Encode(Frame(music, f), payload)]);
            return packets;
        }
#pragma warning disable CS0618 // managed encoder, as in the engine
        var encoder = new OpusEncoder(48000, 1, OpusApplication.OPUS_APPLICATION_VOIP) { Bitrate = 32000 };
#pragma warning restore CS0618
        if (narrowband) encoder.MaxBandwidth = OpusBandwidth.OPUS_BANDWIDTH_NARROWBAND;
        var frame48 = new short[960];
        for (var f = 0; f < frames; f++)
        {
            var pcm = Frame(music, f);
            for (var i = 0; i < 960; i++) frame48[i] = pcm[i / 6]; // sample-and-hold up to 48 kHz: a full-band stream
            packets.Add(payload[..encoder.Encode(frame48, 960, payload, payload.Length)]);
        }
        return packets;
    }

    private static void Decode(string what, List<byte[]> packets, int frames)
    {
        var decoder = new OpusFrameDecoder();
        var pcm = new short[Opus.MaxPacketSamples];
        for (var f = 0; f < 100; f++) decoder.Decode(packets[f], pcm);
        decoder = new OpusFrameDecoder();
        long bytes = 0;
        var (t0, a0) = (ThreadNanoseconds(), GC.GetAllocatedBytesForCurrentThread());
        foreach (var p in packets)
        {
            decoder.Decode(p, pcm);
            bytes += p.Length;
        }
        var (t1, a1) = (ThreadNanoseconds(), GC.GetAllocatedBytesForCurrentThread());
        Row(what, "—", t1 - t0, a1 - a0, bytes, frames);
    }

    private static void Row(string what, string complexity, long ns, long allocated, long bytes, int frames) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {what} | {complexity} | **{ns / 1000.0 / frames:F1}** | {allocated / frames} | {bytes / (double)frames:F1} |"));

    private static long ThreadNanoseconds()
    {
        var s = File.ReadAllText("/proc/thread-self/schedstat");
        return long.Parse(s.AsSpan(0, s.IndexOf(' ')), CultureInfo.InvariantCulture);
    }
}
