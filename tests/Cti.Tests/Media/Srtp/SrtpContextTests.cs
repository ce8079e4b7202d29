using System.Buffers.Binary;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Srtp;

namespace Hotline.Cti.Tests.Media.Srtp;

public class SrtpContextTests
{
    private const uint Ssrc = 0x11223344;

    private static byte[] Rtp(ushort sequence, byte fill = 0x55, int payload = 160)
    {
        var packet = new byte[RtpPacket.HeaderLength + payload + 10];
        RtpPacket.WriteHeader(packet, false, 0, sequence, sequence * 160u, Ssrc);
        packet.AsSpan(RtpPacket.HeaderLength, payload).Fill(fill);
        return packet;
    }

    private static byte[] Protect(SrtpContext sender, ushort sequence, byte fill = 0x55)
    {
        var packet = Rtp(sequence, fill);
        var length = sender.Protect(packet, packet.Length - 10);
        return packet[..length];
    }

    [TestCase(SrtpSuite.AesCm128HmacSha1_80, 10)]
    [TestCase(SrtpSuite.AesCm128HmacSha1_32, 4)]
    public void Round_trip_encrypts_the_payload_keeps_the_header_and_adds_the_suites_tag(SrtpSuite suite, int tag)
    {
        var master = SrtpMasterKey.Generate();
        using var sender = new SrtpContext(suite, master);
        using var receiver = new SrtpContext(suite, master);
        var srtp = Protect(sender, 1000);
        Assert.That(srtp, Has.Length.EqualTo(RtpPacket.HeaderLength + 160 + tag));
        Assert.That(srtp.AsSpan(0, RtpPacket.HeaderLength).ToArray(), Is.EqualTo(Rtp(1000)[..RtpPacket.HeaderLength]));
        Assert.That(srtp.Skip(RtpPacket.HeaderLength).Take(160).Count(b => b == 0x55), Is.LessThan(10), "payload is encrypted");
        Assert.That(receiver.Unprotect(srtp, out var length), Is.EqualTo(SrtpUnprotectResult.Ok));
        Assert.That(length, Is.EqualTo(RtpPacket.HeaderLength + 160));
        Assert.That(srtp.AsSpan(RtpPacket.HeaderLength, 160).ToArray(), Is.All.EqualTo(0x55));
    }

    [Test]
    public void Sequence_wrap_advances_the_rollover_counter_on_both_sides()
    {
        var master = SrtpMasterKey.Generate();
        using var sender = new SrtpContext(SrtpSuite.AesCm128HmacSha1_80, master);
        using var receiver = new SrtpContext(SrtpSuite.AesCm128HmacSha1_80, master);
        var packets = new List<byte[]>();
        for (var i = 0; i < 6; i++) packets.Add(Protect(sender, (ushort)(65533 + i), (byte)i));
        Assert.That(sender.RolloverCounter, Is.EqualTo(1u));
        // Deliver out of order across the wrap: 65533, 0 (ROC 1), 65535 (late, ROC 0), 65534, 1, 2.
        foreach (var i in new[] { 0, 3, 2, 1, 4, 5 })
        {
            Assert.That(receiver.Unprotect(packets[i], out _), Is.EqualTo(SrtpUnprotectResult.Ok), $"packet {i}");
            Assert.That(packets[i][RtpPacket.HeaderLength], Is.EqualTo((byte)i));
        }
        Assert.That(receiver.RolloverCounter, Is.EqualTo(1u));
    }

    [Test]
    public void A_replayed_packet_and_one_behind_the_window_are_refused()
    {
        var master = SrtpMasterKey.Generate();
        using var sender = new SrtpContext(SrtpSuite.AesCm128HmacSha1_80, master);
        using var receiver = new SrtpContext(SrtpSuite.AesCm128HmacSha1_80, master);
        var first = Protect(sender, 10);
        var copy = first.ToArray();
        Assert.That(receiver.Unprotect(first, out _), Is.EqualTo(SrtpUnprotectResult.Ok));
        Assert.That(receiver.Unprotect(copy.ToArray(), out _), Is.EqualTo(SrtpUnprotectResult.Replayed));
        var old = Protect(sender, 11);
        for (ushort s = 12; s < 80; s++) Assert.That(receiver.Unprotect(Protect(sender, s), out _), Is.EqualTo(SrtpUnprotectResult.Ok));
        Assert.That(receiver.Unprotect(old, out _), Is.EqualTo(SrtpUnprotectResult.Replayed), "64+ packets behind");
    }

    [Test]
    public void A_bad_tag_or_another_key_is_refused_and_changes_nothing()
    {
        var master = SrtpMasterKey.Generate();
        using var sender = new SrtpContext(SrtpSuite.AesCm128HmacSha1_80, master);
        using var receiver = new SrtpContext(SrtpSuite.AesCm128HmacSha1_80, master);
        using var stranger = new SrtpContext(SrtpSuite.AesCm128HmacSha1_80, SrtpMasterKey.Generate());
        var tampered = Protect(sender, 5);
        tampered[20] ^= 1;
        var before = tampered.ToArray();
        Assert.That(receiver.Unprotect(tampered, out _), Is.EqualTo(SrtpUnprotectResult.AuthenticationFailed));
        Assert.That(tampered, Is.EqualTo(before), "not decrypted in place");
        Assert.That(receiver.Unprotect(Protect(stranger, 6), out _), Is.EqualTo(SrtpUnprotectResult.AuthenticationFailed));
        var tag = Protect(sender, 7);
        tag[^1] ^= 0x80;
        Assert.That(receiver.Unprotect(tag, out _), Is.EqualTo(SrtpUnprotectResult.AuthenticationFailed));
        Assert.That(receiver.Unprotect(Protect(sender, 8), out _), Is.EqualTo(SrtpUnprotectResult.Ok), "still in step");
    }

    [Test]
    public void Srtcp_round_trips_refuses_replay_and_tampering()
    {
        var master = SrtpMasterKey.Generate();
        using var sender = new SrtcpContext(SrtpSuite.AesCm128HmacSha1_32, master);
        using var receiver = new SrtcpContext(SrtpSuite.AesCm128HmacSha1_32, master);
        var rtcp = new byte[64 + sender.Overhead];
        var length = RtcpPacket.WriteSenderReport(rtcp, Ssrc, 1, 2, 3, 4, null, "hotline"u8);
        var plain = rtcp[..length];
        var srtcpLength = sender.Protect(rtcp, length);
        Assert.That(srtcpLength, Is.EqualTo(length + 14), "E||index + 80-bit tag even for the _32 suite");
        var replay = rtcp[..srtcpLength];
        var packet = rtcp[..srtcpLength];
        Assert.That(packet.AsSpan(8, length - 8).SequenceEqual(plain.AsSpan(8)), Is.False);
        Assert.That(receiver.Unprotect(packet, out var back), Is.EqualTo(SrtpUnprotectResult.Ok));
        Assert.That(packet[..back], Is.EqualTo(plain));
        Assert.That(receiver.Unprotect(replay, out _), Is.EqualTo(SrtpUnprotectResult.Replayed));
        var next = plain.Concat(new byte[sender.Overhead]).ToArray();
        var n = sender.Protect(next, plain.Length);
        next[10] ^= 4;
        Assert.That(receiver.Unprotect(next.AsSpan(0, n), out _), Is.EqualTo(SrtpUnprotectResult.AuthenticationFailed));
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(next.AsSpan(plain.Length)), Is.EqualTo(0x8000_0001u));
    }

    [Test]
    public void Protect_and_unprotect_allocate_nothing()
    {
        var master = SrtpMasterKey.Generate();
        using var sender = new SrtpContext(SrtpSuite.AesCm128HmacSha1_80, master);
        using var receiver = new SrtpContext(SrtpSuite.AesCm128HmacSha1_80, master);
        var packet = Rtp(1);
        for (ushort i = 0; i < 100; i++) RoundTrip(sender, receiver, packet, i);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (ushort i = 100; i < 1100; i++) RoundTrip(sender, receiver, packet, i);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    private static void RoundTrip(SrtpContext sender, SrtpContext receiver, byte[] packet, ushort sequence)
    {
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        var length = sender.Protect(packet, RtpPacket.HeaderLength + 160);
        if (receiver.Unprotect(packet.AsSpan(0, length), out _) != SrtpUnprotectResult.Ok) Assert.Fail("round trip failed");
    }
}
