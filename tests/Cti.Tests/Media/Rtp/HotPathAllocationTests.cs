using Hotline.Cti.Media;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Mixing;
using Hotline.Cti.Media.Sources;
using Hotline.Cti.Tests.Media.Support;

namespace Hotline.Cti.Tests.Media.Rtp;

/// <summary>
/// The per-packet path allocates nothing: the test thread runs the clock's ticks itself, so the per-thread GC
/// counter sees every byte the sessions, sources, mixer, recorder and RTCP allocate while ticking.
/// </summary>
public class HotPathAllocationTests
{
    [Test]
    public async Task Ticking_playing_bridged_mixed_prompted_and_recording_sessions_allocates_nothing()
    {
        await using var media = new MediaFixture();
        using var p1 = new RtpPeer();
        using var p2 = new RtpPeer();
        using var p3 = new RtpPeer();
        using var p4 = new RtpPeer();
        using var p5 = new RtpPeer();
        var music = media.Answered(p1);
        var a = media.Answered(p2);
        var b = media.Answered(p3);
        var m1 = media.Answered(p4);
        var m2 = media.Answered(p5);
        var clip = WavClip.FromSamples("music", Enumerable.Range(0, 8000).Select(i => (short)(i * 7)).ToArray());
        _ = music.PlayAsync(new PlaylistSource([clip], loop: true));
        MediaSession.Bridge(a, b);
        var mixer = new Mixer();
        mixer.Add(m1);
        mixer.Add(m2);
        _ = m1.PlayBesideAsync(ToneSource.Sine(480)); // a prompt beside the mix (endless here): added per frame, no allocation
        var path = Path.Combine(Path.GetTempPath(), $"hotline-alloc-{Guid.NewGuid():N}.wav");
        music.StartRecording(path);
        try
        {
            media.Tick(300); // warm up: JIT, first RTCP report, lazy statics
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 500; i++) media.Clock.TickOnce(); // 10 s of audio, 2 RTCP reports per session
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.That(allocated, Is.Zero);
            Assert.That(music.Statistics.PacketsSent, Is.EqualTo(800));
        }
        finally
        {
            music.StopRecording();
            File.Delete(path);
        }
    }
}

public class InboundAudioBufferTests
{
    [Test]
    public void Any_packet_size_is_reframed_and_a_backlog_is_trimmed_to_two_frames()
    {
        var buffer = new InboundAudioBuffer(200);
        var code = G711.LinearToUlaw(1000);
        var frame = new short[160];
        buffer.WriteEncoded(G711Law.Ulaw, Enumerable.Repeat(code, 80).ToArray()); // a 10 ms packet
        Assert.That(buffer.Read(frame), Is.EqualTo(80), "half a frame of audio, half silence");
        Assert.That(frame[79] != 0 && frame[80] == 0, Is.True);
        for (var i = 0; i < 8; i++) buffer.WriteEncoded(G711Law.Ulaw, Enumerable.Repeat(code, 160).ToArray());
        Assert.That(buffer.BufferedSamples, Is.EqualTo(8 * 160));
        Assert.That(buffer.Read(frame), Is.EqualTo(160));
        Assert.That(buffer.BufferedSamples, Is.EqualTo(160), "trimmed to two frames, one of them read");
    }

    [Test]
    public void A_full_ring_drops_new_audio_instead_of_corrupting_it()
    {
        var buffer = new InboundAudioBuffer(40); // 320 samples
        buffer.WriteEncoded(G711Law.Ulaw, Enumerable.Repeat(G711.LinearToUlaw(1000), 320).ToArray());
        buffer.WriteEncoded(G711Law.Ulaw, Enumerable.Repeat(G711.LinearToUlaw(-1000), 160).ToArray());
        var frame = new short[160];
        buffer.Read(frame);
        Assert.That(frame.All(s => s > 0), Is.True);
        Assert.That(buffer.BufferedSamples, Is.EqualTo(160));
    }
}
