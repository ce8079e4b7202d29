using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Hotline.Cti.Media.Rtp;

namespace Hotline.Cti.Tests.Media.Rtp;

/// <summary>
/// The clock's send batch on real loopback UDP sockets, on both send paths: nothing leaves before the flush, then
/// every packet leaves in order, from its own socket's port, to its own destination.
/// </summary>
[TestFixture(RtpSendPath.Portable)]
[TestFixture(RtpSendPath.LinuxSendTo)]
public class RtpSendBatchTests(RtpSendPath path)
{
    private readonly List<Socket> _sockets = [];

    [SetUp]
    public void RequirePath()
    {
        if (path == RtpSendPath.LinuxSendTo) Assume.That(OperatingSystem.IsLinux(), "the sendto path is Linux only");
    }

    [TearDown]
    public void CloseSockets()
    {
        foreach (var s in _sockets) s.Dispose();
        _sockets.Clear();
    }

    private Socket Udp()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _sockets.Add(s);
        return s;
    }

    private static byte[] Packet(ushort sequence, uint ssrc)
    {
        var packet = new byte[RtpPacket.HeaderLength + 160];
        RtpPacket.WriteHeader(packet, false, 0, sequence, sequence * 160u, ssrc);
        packet.AsSpan(RtpPacket.HeaderLength).Fill((byte)sequence);
        return packet;
    }

    private static (byte[] Data, IPEndPoint From)? Receive(Socket socket, int timeoutMs = 2000)
    {
        if (!socket.Poll(timeoutMs * 1000, SelectMode.SelectRead)) return null;
        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var n = socket.ReceiveFrom(buffer, ref from);
        return (buffer[..n], (IPEndPoint)from);
    }

    [Test]
    public void Nothing_leaves_before_the_flush_then_every_packet_leaves_in_order_from_its_socket_to_its_destination()
    {
        var batch = new RtpSendBatch(path, capacity: 4); // small: adding 2 × 5 packets grows it mid-batch
        var senders = new[] { Udp(), Udp() };
        var receivers = new[] { Udp(), Udp() };
        var stats = new[] { new RtpStatistics(), new RtpStatistics() };
        for (ushort seq = 0; seq < 5; seq++)
            for (var k = 0; k < 2; k++)
                batch.Add(senders[k], receivers[k].LocalEndPoint!.Serialize(), Packet(seq, (uint)(0xA0 + k)), stats[k], 160, seq * 160u);

        Assert.That(batch.Count, Is.EqualTo(10));
        Assert.That(Receive(receivers[0], timeoutMs: 50), Is.Null, "prepared packets wait for their deadline");
        Assert.That(stats[0].PacketsSent, Is.Zero, "counted when really sent");

        Assert.That(batch.Flush(), Is.EqualTo(10));
        Assert.That(batch.Count, Is.Zero);
        for (var k = 0; k < 2; k++)
        {
            for (ushort seq = 0; seq < 5; seq++)
            {
                var got = Receive(receivers[k]);
                Assert.That(got, Is.Not.Null, $"receiver {k} packet {seq}");
                var (data, from) = got!.Value;
                Assert.That(data, Is.EqualTo(Packet(seq, (uint)(0xA0 + k))), "in order, byte for byte");
                Assert.That(from, Is.EqualTo(senders[k].LocalEndPoint), "from the leg's own port (symmetric RTP)");
            }
            Assert.That(Receive(receivers[k], timeoutMs: 50), Is.Null, "nothing else, nothing twice");
            Assert.That(stats[k].PacketsSent, Is.EqualTo(5));
            Assert.That(stats[k].LastSentTimestamp, Is.EqualTo(4 * 160u));
        }
    }

    [Test]
    public void A_refused_send_is_counted_and_the_rest_of_the_batch_still_goes()
    {
        var batch = new RtpSendBatch(path);
        var sender = Udp();
        var receiver = Udp();
        var stats = new RtpStatistics();
        // Broadcast without SO_BROADCAST: the kernel refuses (EACCES) on either path.
        batch.Add(sender, new IPEndPoint(IPAddress.Broadcast, 9).Serialize(), Packet(1, 1), stats, 160, 160);
        batch.Add(sender, receiver.LocalEndPoint!.Serialize(), Packet(2, 1), stats, 160, 320);

        Assert.That(batch.Flush(), Is.EqualTo(1));
        Assert.That(stats.SendErrors, Is.EqualTo(1));
        Assert.That(stats.PacketsSent, Is.EqualTo(1));
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(Receive(receiver)!.Value.Data.AsSpan(2)), Is.EqualTo(2));
    }

    [Test]
    public async Task A_leg_hung_up_between_prepare_and_flush_neither_throws_nor_holds_up_the_others()
    {
        var batch = new RtpSendBatch(path);
        var gone = Udp();
        var sender = Udp();
        var receiver = Udp();
        batch.Add(gone, receiver.LocalEndPoint!.Serialize(), Packet(1, 0xDEAD));
        batch.Add(sender, receiver.LocalEndPoint!.Serialize(), Packet(2, 0xBEEF));
        // The call glue hangs up on another thread. On the sendto path the batch holds the descriptor, so the close
        // waits for the flush (at most one phase) and the number cannot be reused meanwhile; on the portable path
        // the close is immediate and the flush skips the packet.
        var hangUp = Task.Run(gone.Dispose);
        if (path == RtpSendPath.Portable) await hangUp;

        Assert.DoesNotThrow(() => batch.Flush());
        await hangUp.WaitAsync(TimeSpan.FromSeconds(5));
        var seen = new List<uint>();
        while (Receive(receiver, timeoutMs: 200) is { } got) seen.Add(BinaryPrimitives.ReadUInt32BigEndian(got.Data.AsSpan(8)));
        Assert.That(seen, Does.Contain(0xBEEFu));
        if (path == RtpSendPath.Portable) Assert.That(seen, Does.Not.Contain(0xDEADu));

        batch.Add(gone, receiver.LocalEndPoint!.Serialize(), Packet(3, 0xDEAD));
        Assert.That(batch.Flush(), Is.Zero, "a closed socket sends nothing");
    }

    [Test]
    public void Discarded_packets_are_never_sent()
    {
        var batch = new RtpSendBatch(path);
        var sender = Udp();
        var receiver = Udp();
        batch.Add(sender, receiver.LocalEndPoint!.Serialize(), Packet(1, 1));
        batch.Discard();
        Assert.That(batch.Flush(), Is.Zero);
        Assert.That(Receive(receiver, timeoutMs: 50), Is.Null);
    }

    [Test]
    public void Preparing_and_flushing_allocates_nothing_per_packet()
    {
        var batch = new RtpSendBatch(path);
        var senders = Enumerable.Range(0, 8).Select(_ => Udp()).ToArray();
        var receiver = Udp();
        receiver.ReceiveBufferSize = 1 << 20;
        var to = receiver.LocalEndPoint!.Serialize();
        var stats = new RtpStatistics();
        var packet = Packet(7, 7);
        void Round()
        {
            foreach (var s in senders) batch.Add(s, to, packet, stats, 160, 0);
            batch.Flush();
        }
        for (var i = 0; i < 50; i++) Round(); // warm up (JIT, first-use statics)
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) Round();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(stats.PacketsSent, Is.EqualTo(150 * 8));
    }

    [Test]
    public void An_oversized_packet_is_refused_with_a_clear_error_and_nothing_is_queued()
    {
        var batch = new RtpSendBatch(path);
        var ex = Assert.Throws<ArgumentException>(() => batch.Add(Udp(), new IPEndPoint(IPAddress.Loopback, 9).Serialize(), new byte[RtpSendBatch.MaxPacketLength + 1]));
        Assert.That(ex!.Message, Does.Contain("at most"));
        Assert.That(batch.Count, Is.Zero);
    }
}
