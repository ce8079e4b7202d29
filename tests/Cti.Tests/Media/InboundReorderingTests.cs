using Hotline.Cti.Media;
using Hotline.Cti.Media.Codecs;

namespace Hotline.Cti.Tests.Media;

/// <summary>The inbound jitter buffer's RFC 3550 sequence ordering and its gap concealment.</summary>
public class InboundReorderingTests
{
    private static byte[] Payload(short level) => Enumerable.Repeat(G711.LinearToUlaw(level), 160).ToArray();

    private static short[] Frames(InboundAudioBuffer buffer, int count)
    {
        var levels = new short[count];
        var frame = new short[160];
        for (var i = 0; i < count; i++)
        {
            buffer.Read(frame);
            levels[i] = frame[100];
        }
        return levels;
    }

    private static short Level(short linear) => G711.UlawToLinear(G711.LinearToUlaw(linear));

    [Test]
    public void A_late_packet_is_put_back_in_sequence_order()
    {
        var buffer = new InboundAudioBuffer(200);
        buffer.WritePacket(10, G711Law.Ulaw, Payload(1000));
        buffer.WritePacket(12, G711Law.Ulaw, Payload(3000)); // 11 is late: 12 waits
        Assert.That(buffer.BufferedSamples, Is.EqualTo(160), "12 held back, not queued ahead of 11");
        buffer.WritePacket(11, G711Law.Ulaw, Payload(2000));
        Assert.That(Frames(buffer, 3), Is.EqualTo(new[] { Level(1000), Level(2000), Level(3000) }));
        Assert.That(buffer.LatePackets, Is.Zero);
    }

    [Test]
    public void A_lost_packet_is_given_up_after_one_more_and_a_straggler_after_that_is_dropped()
    {
        var buffer = new InboundAudioBuffer(200);
        buffer.WritePacket(65534, G711Law.Ulaw, Payload(1000));
        buffer.WritePacket(0, G711Law.Ulaw, Payload(3000));  // 65535 missing (across the wrap)
        buffer.WritePacket(1, G711Law.Ulaw, Payload(4000));  // a second one past the gap: 65535 is lost
        Assert.That(Frames(buffer, 3), Is.EqualTo(new[] { Level(1000), Level(3000), Level(4000) }));
        buffer.WritePacket(65535, G711Law.Ulaw, Payload(2000));
        Assert.That(buffer.LatePackets, Is.EqualTo(1));
        Assert.That(buffer.BufferedSamples, Is.Zero, "too late: later audio was already released");
    }

    [Test]
    public void A_jump_is_a_new_stream_not_a_gap_to_wait_for()
    {
        var buffer = new InboundAudioBuffer(200);
        buffer.WritePacket(100, G711Law.Ulaw, Payload(1000));
        buffer.WritePacket(30_000, G711Law.Ulaw, Payload(2000));
        buffer.WritePacket(30_001, G711Law.Ulaw, Payload(3000));
        Assert.That(Frames(buffer, 3), Is.EqualTo(new[] { Level(1000), Level(2000), Level(3000) }));
    }

    [Test]
    public void A_gap_after_audio_repeats_the_last_frame_fading_then_silence()
    {
        var buffer = new InboundAudioBuffer(200);
        var frame = new short[160];
        Assert.That(buffer.Read(frame), Is.Zero);
        Assert.That(frame, Is.All.Zero, "no concealment before any audio");
        buffer.WritePacket(1, G711Law.Ulaw, Payload(8000));
        var level = Level(8000);
        Assert.That(Frames(buffer, 5), Is.EqualTo(new short[] { level, (short)(level >> 1), (short)(level >> 2), 0, 0 }));
        buffer.WritePacket(2, G711Law.Ulaw, Payload(8000));
        Assert.That(Frames(buffer, 2), Is.EqualTo(new short[] { level, (short)(level >> 1) }), "concealment re-arms after audio");
    }
}
