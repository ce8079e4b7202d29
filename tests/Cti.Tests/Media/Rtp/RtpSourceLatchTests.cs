using System.Net;
using System.Net.Sockets;
using Hotline.Cti.Media.Rtp;

namespace Hotline.Cti.Tests.Media.Rtp;

/// <summary>The rule for which source a leg takes media from (issue 14), without sockets.</summary>
[TestFixture]
public sealed class RtpSourceLatchTests
{
    private const long Frequency = 1000; // ticks per second: one tick per millisecond
    private static readonly SocketAddress Sdp = new IPEndPoint(IPAddress.Parse("192.0.2.10"), 40000).Serialize();
    private static readonly SocketAddress Nat = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 61000).Serialize();
    private static readonly SocketAddress Outsider = new IPEndPoint(IPAddress.Parse("203.0.113.66"), 5004).Serialize();

    private static RtpSourceLatch Latch()
    {
        var latch = new RtpSourceLatch(AddressFamily.InterNetwork, Frequency);
        latch.Reset(Sdp);
        return latch;
    }

    [Test]
    public void The_sdp_address_is_accepted_at_once()
    {
        Assert.That(Latch().OnPacket(Sdp, 1, 10, 0), Is.EqualTo(RtpSourceVerdict.Accept));
    }

    [Test]
    public void A_received_address_equals_the_serialized_sdp_address()
    {
        // The socket fills a SocketAddress the way IPEndPoint.Serialize does: the comparison is byte for byte.
        using var a = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var b = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        a.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        b.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        b.SendTo(new byte[12], a.LocalEndPoint!);
        var from = new SocketAddress(AddressFamily.InterNetwork);
        a.ReceiveFrom(new byte[64], SocketFlags.None, from);
        Assert.That(from.Equals(((IPEndPoint)b.LocalEndPoint!).Serialize()), Is.True);
    }

    [Test]
    public void A_run_of_consecutive_packets_over_the_minimum_time_re_latches()
    {
        var latch = Latch();
        var verdicts = Enumerable.Range(0, RtpSourceLatch.RunLength).Select(i => latch.OnPacket(Nat, 7, (ushort)(65533 + i), i * 20)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(verdicts.Take(RtpSourceLatch.RunLength - 1), Is.All.EqualTo(RtpSourceVerdict.Reject));
            Assert.That(verdicts[^1], Is.EqualTo(RtpSourceVerdict.Latched), "sequence numbers wrap (65535 → 0) inside the run");
            Assert.That(latch.Accepted!.Equals(Nat), Is.True);
            Assert.That(latch.OnPacket(Outsider, 9, 1, 200), Is.EqualTo(RtpSourceVerdict.Reject), "anyone else is stray");
        });
    }

    [Test]
    public void Once_the_sdp_address_has_spoken_no_run_from_elsewhere_latches_however_long_it_is_silent()
    {
        var latch = Latch();
        Assert.That(latch.OnPacket(Sdp, 1, 10, 0), Is.EqualTo(RtpSourceVerdict.Accept));
        // The peer then goes quiet (hold, a starved machine): an outsider's perfect run of 50 packets over a second.
        var verdicts = Enumerable.Range(0, 50).Select(i => latch.OnPacket(Outsider, 9, (ushort)i, 20 + (i * 20))).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(verdicts, Is.All.EqualTo(RtpSourceVerdict.Reject));
            Assert.That(latch.Accepted!.Equals(Sdp), Is.True);
        });
    }

    [Test]
    public void The_sdp_address_wins_back_at_once_from_a_source_latched_before_it_first_spoke_and_then_holds()
    {
        // An outsider spraying the port before the peer's first packet (the first moments of a call) earns a latch...
        var latch = Latch();
        for (var i = 0; i < RtpSourceLatch.RunLength; i++) latch.OnPacket(Outsider, 9, (ushort)i, i * 20);
        Assert.That(latch.Accepted!.Equals(Outsider), Is.True);
        // ...which the peer's first packet from the address it signalled takes back, for good.
        var back = latch.OnPacket(Sdp, 1, 10, 200);
        var after = Enumerable.Range(RtpSourceLatch.RunLength, 20).Select(i => latch.OnPacket(Outsider, 9, (ushort)i, 220 + (i * 20))).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(back, Is.EqualTo(RtpSourceVerdict.Latched), "the caller of OnPacket sends to the SDP address again");
            Assert.That(latch.Accepted!.Equals(Sdp), Is.True);
            Assert.That(after, Is.All.EqualTo(RtpSourceVerdict.Reject));
            Assert.That(latch.OnPacket(Sdp, 1, 11, 1000), Is.EqualTo(RtpSourceVerdict.Accept));
        });
    }

    [Test]
    public void A_new_sdp_address_unlocks_a_leg_whose_earlier_address_had_spoken()
    {
        // A re-INVITE moves the media behind a NAT: the new address never speaks, the translated one earns a latch.
        var latch = Latch();
        latch.OnPacket(Sdp, 1, 10, 0);
        latch.Reset(new IPEndPoint(IPAddress.Parse("10.0.0.5"), 4000).Serialize());
        var verdicts = Enumerable.Range(0, RtpSourceLatch.RunLength).Select(i => latch.OnPacket(Nat, 7, (ushort)i, 100 + (i * 20))).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(verdicts[^1], Is.EqualTo(RtpSourceVerdict.Latched));
            Assert.That(latch.Accepted!.Equals(Nat), Is.True);
            Assert.That(latch.OnPacket(Sdp, 1, 11, 500), Is.EqualTo(RtpSourceVerdict.Reject), "the old SDP address is no longer the peer's");
        });
    }

    [TestCase("gap")]
    [TestCase("ssrc")]
    [TestCase("too-fast")]
    [TestCase("peer-speaks")]
    public void A_broken_run_does_not_latch(string how)
    {
        var latch = Latch();
        var last = RtpSourceVerdict.Reject;
        for (var i = 0; i < RtpSourceLatch.RunLength * 2; i++)
        {
            var seq = (ushort)(how == "gap" ? i * 2 : i);
            var ssrc = how == "ssrc" ? (uint)i : 9u;
            var at = how == "too-fast" ? i : i * 20;
            if (how == "peer-speaks" && i % 4 == 0) latch.OnPacket(Sdp, 1, (ushort)i, at);
            last = latch.OnPacket(Outsider, ssrc, seq, at);
            if (how == "too-fast" && i == RtpSourceLatch.RunLength * 2 - 1) break;
        }
        Assert.Multiple(() =>
        {
            Assert.That(last, Is.EqualTo(RtpSourceVerdict.Reject));
            Assert.That(latch.Accepted!.Equals(Sdp), Is.True);
        });
    }

    [Test]
    public void A_new_sdp_address_replaces_the_accepted_source_and_forgets_a_candidate()
    {
        var latch = Latch();
        for (var i = 0; i < RtpSourceLatch.RunLength - 1; i++) latch.OnPacket(Nat, 7, (ushort)i, i * 20);
        latch.Reset(Outsider);
        Assert.Multiple(() =>
        {
            Assert.That(latch.OnPacket(Nat, 7, RtpSourceLatch.RunLength - 1, 500), Is.EqualTo(RtpSourceVerdict.Reject));
            Assert.That(latch.OnPacket(Outsider, 3, 1, 500), Is.EqualTo(RtpSourceVerdict.Accept));
        });
    }
}
