using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Sdp;
using Hotline.Cti.Media.Sources;
using Hotline.Cti.Media.Srtp;
using Hotline.Cti.Tests.Media.Support;

namespace Hotline.Cti.Tests.Media.Srtp;

/// <summary>A session with SDES-keyed SRTP against a loopback peer that encrypts and decrypts with its own contexts.</summary>
public class SrtpMediaSessionTests
{
    [Test]
    public async Task Sends_encrypted_audio_receives_the_peers_and_drops_and_counts_bad_tag_replay_and_plain_packets()
    {
        await using var media = new MediaFixture();
        using var peer = new RtpPeer();
        var peerKey = SrtpMasterKey.Generate();
        var offer = peer.Offer().Replace("RTP/AVP", "RTP/SAVP", StringComparison.Ordinal)
            + $"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{peerKey.ToBase64()}\r\n";
        var session = media.Engine.CreateSession();
        await using var owned = session;
        var answer = media.Engine.CreateSdp(session, SrtpPolicy.Srtp).Answer(offer);
        Assert.That(answer.IsAccepted, Is.True, answer.RejectReason);
        session.Apply(answer.Media!);
        session.Start();
        Assert.That(session.IsEncrypted, Is.True);

        // Out: what leaves the socket is SRTP that only the answer's key opens, and it carries the tone.
        using var peerIn = new SrtpContext(SrtpSuite.AesCm128HmacSha1_80, answer.Media!.Srtp!.Local);
        _ = session.PlayAsync(ToneSource.Sine(440));
        var pcm = new List<short>();
        for (var i = 0; i < 10; i++)
        {
            media.Tick();
            var datagram = peer.Receive() ?? throw new AssertionException("no packet");
            Assert.That(datagram, Has.Length.EqualTo(RtpPacket.HeaderLength + 160 + 10));
            var wire = datagram[RtpPacket.HeaderLength..(RtpPacket.HeaderLength + 160)];
            Assert.That(peerIn.Unprotect(datagram, out var length), Is.EqualTo(SrtpUnprotectResult.Ok));
            Assert.That(RtpPacket.TryParse(datagram.AsSpan(0, length), out var packet), Is.True);
            Assert.That(wire, Is.Not.EqualTo(packet.Payload.ToArray()), "the payload on the wire is not the G.711");
            var frame = new short[160];
            G711.Decode(G711Law.Ulaw, packet.Payload, frame);
            pcm.AddRange(frame);
        }
        Assert.That(Goertzel.RelativePower(pcm.Skip(160).ToArray(), 440), Is.GreaterThan(0.8));

        // In: the peer's SRTP is accepted; a tampered, a replayed, a wrong-key and a plain packet are dropped and counted.
        using var peerOut = new SrtpContext(SrtpSuite.AesCm128HmacSha1_80, peerKey);
        using var stranger = new SrtpContext(SrtpSuite.AesCm128HmacSha1_80, SrtpMasterKey.Generate());
        byte[] Rtp(ushort sequence, SrtpContext? context)
        {
            var packet = new byte[RtpPacket.HeaderLength + 160 + 10];
            RtpPacket.WriteHeader(packet, false, 0, sequence, sequence * 160u, peer.Ssrc);
            var length = context?.Protect(packet, RtpPacket.HeaderLength + 160) ?? RtpPacket.HeaderLength + 160;
            return packet[..length];
        }
        var good = Rtp(1, peerOut);
        peer.SendRaw(good.ToArray(), session.LocalEndPoint);
        Eventually.True(() => session.Statistics.PacketsReceived == 1, "the authentic packet");
        peer.SendRaw(good, session.LocalEndPoint); // replay
        var tampered = Rtp(2, peerOut);
        tampered[30] ^= 0xFF;
        peer.SendRaw(tampered, session.LocalEndPoint);
        peer.SendRaw(Rtp(3, stranger), session.LocalEndPoint);
        peer.SendRaw(Rtp(4, null), session.LocalEndPoint);
        Eventually.True(() => session.Statistics.SrtpDrops.Total == 4, "four drops");
        Assert.Multiple(() =>
        {
            Assert.That(session.Statistics.SrtpDrops.Replays, Is.EqualTo(1));
            Assert.That(session.Statistics.SrtpDrops.AuthenticationFailures, Is.EqualTo(3), "tampered, wrong key, plain");
            Assert.That(media.Engine.SrtpDrops.Total, Is.EqualTo(4), "engine-wide counters");
            Assert.That(session.Statistics.PacketsReceived, Is.EqualTo(1));
        });
        peer.SendRaw(Rtp(5, peerOut), session.LocalEndPoint);
        Eventually.True(() => session.Statistics.PacketsReceived == 2, "still in step after the drops");
    }
}
