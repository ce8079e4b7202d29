using Concentus.Enums;
using Concentus.Structs;
using Hotline.Cti.Media;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Dtmf;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Sdp;
using Hotline.Cti.Media.Sources;
using Hotline.Cti.Tests.Media.Support;

namespace Hotline.Cti.Tests.Media.Rtp;

/// <summary>
/// A session whose negotiated codec is Opus (RFC 7587), seen on the wire: what the media clock sends (48 kHz
/// timestamps, 960 per 20 ms, telephone-event on the same clock) and what it hears from a browser-like Opus stream.
/// The media is applied in the clear here to look at the packets; on a real browser leg it rides DTLS-SRTP
/// (EndToEnd.Tests BrowserAgentAudioTests proves that with Chromium).
/// </summary>
public sealed class OpusMediaSessionTests
{
    private static MediaSession OpusSession(MediaFixture media, RtpPeer peer)
    {
        var session = media.Engine.CreateSession();
        session.Apply(new NegotiatedMedia(G711Law.Ulaw, 111, 110, peer.EndPoint, MediaDirection.SendRecv, IsOpus: true));
        session.Start();
        return session;
    }

    [Test]
    public async Task Sends_opus_with_timestamps_stepping_960_and_a_tone_that_decodes_to_its_frequency()
    {
        await using var media = new MediaFixture();
        using var browser = new RtpPeer();
        await using var session = OpusSession(media, browser);
        _ = session.PlayAsync(ToneSource.Sine(440));
        var decoder = new OpusFrameDecoder();
        var pcm = new short[Opus.MaxPacketSamples];
        var heard = new List<short>();
        var timestamps = new List<uint>();
        for (var i = 0; i < 40; i++)
        {
            media.Tick();
            var datagram = browser.Receive() ?? throw new AssertionException($"packet {i + 1} never arrived");
            Assert.That(RtpPacket.TryParse(datagram, out var packet), Is.True);
            Assert.That(packet.PayloadType, Is.EqualTo(111));
            timestamps.Add(packet.Timestamp);
            var n = decoder.Decode(packet.Payload, pcm);
            Assert.That(n, Is.EqualTo(160), "20 ms per packet");
            heard.AddRange(pcm.AsSpan(0, n));
        }
        var steps = timestamps.Zip(timestamps.Skip(1), (a, b) => unchecked(b - a)).Distinct().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(steps, Is.EqualTo(new[] { 960u }), "RFC 7587 §4.1: 48 kHz RTP clock");
            Assert.That(Goertzel.RelativePower(heard.ToArray().AsSpan(20 * 160), 440), Is.GreaterThan(0.8));
        });
    }

    [Test]
    public async Task Dtmf_on_an_opus_leg_uses_the_48k_clock()
    {
        await using var media = new MediaFixture();
        using var browser = new RtpPeer();
        await using var session = OpusSession(media, browser);
        session.SendDtmf('5', 100);
        media.Tick(8);
        var durations = new List<int>();
        while (browser.Receive(300) is { } datagram)
        {
            Assert.That(RtpPacket.TryParse(datagram, out var packet), Is.True);
            if (packet.PayloadType != 110) continue;
            Assert.That(TelephoneEvent.TryParse(packet.Payload, out var ev), Is.True);
            durations.Add(ev.Duration);
        }
        Assert.That(durations, Is.EqualTo(new[] { 960, 1920, 2880, 3840, 4800, 4800, 4800 }), "RFC 4733 §2.5.1.3: duration in the stream's 48 kHz units");
    }

    [Test]
    public async Task Hears_a_browsers_48k_opus_stream_as_8k_pcm()
    {
        await using var media = new MediaFixture();
        using var browser = new RtpPeer();
        await using var session = OpusSession(media, browser);
#pragma warning disable CS0618
        var encoder = new OpusEncoder(48000, 1, OpusApplication.OPUS_APPLICATION_VOIP) { Bitrate = 32000 };
#pragma warning restore CS0618
        var frame = new short[960];
        var payload = new byte[1275];
        const int packets = 30;
        var heard = new List<short>();
        for (var f = 0; f < packets; f++)
        {
            for (var i = 0; i < 960; i++) frame[i] = (short)(8000 * Math.Sin(2 * Math.PI * 1000 * ((f * 960) + i) / 48000.0));
            var length = encoder.Encode(frame, 960, payload, payload.Length);
            var packet = new byte[RtpPacket.HeaderLength + length];
            RtpPacket.WriteHeader(packet, f == 0, 111, (ushort)(7000 + f), (uint)(123456 + (f * 960)), 0xCAFE);
            payload.AsSpan(0, length).CopyTo(packet.AsSpan(RtpPacket.HeaderLength));
            browser.SendRaw(packet, session.LocalEndPoint);
            var received = f + 1;
            Eventually.True(() => session.Statistics.PacketsReceived == received, "the browser's packet " + received);
            heard.AddRange(session.ReadInbound(1_000 + f).ToArray()); // one tick's frame per packet, as the clock would
        }
        Assert.That(Goertzel.RelativePower(heard.ToArray().AsSpan(10 * 160, 15 * 160), 1000), Is.GreaterThan(0.8), "1000 Hz heard at 8 kHz");
    }
}
