using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Hotline.Cti.Media.Rtp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Cti.Tests.Media.Rtp;

/// <summary>The shared receive threads: every datagram of a registered socket reaches its handler with its source; none after removal.</summary>
[TestFixture]
public sealed class RtpReceiverTests
{
    private static Socket Bound()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return s;
    }

    [Test]
    public async Task Datagrams_of_many_sockets_reach_their_own_handlers_with_their_source_and_none_after_removal()
    {
        using var receiver = RtpReceiver.TryCreate(NullLogger.Instance);
        if (receiver is null) Assert.Ignore("epoll is Linux only");
        var sockets = Enumerable.Range(0, 20).Select(_ => Bound()).ToArray();
        using var sender = Bound();
        var got = new ConcurrentDictionary<int, ConcurrentBag<(byte First, int Length, IPEndPoint From)>>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var total = 0;
        var registrations = sockets.Select((s, i) => receiver.Register(s, (datagram, from) =>
        {
            var ep = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(from);
            got.GetOrAdd(i, _ => []).Add((datagram[0], datagram.Length, ep));
            if (Interlocked.Increment(ref total) == sockets.Length * 5) all.TrySetResult();
        })).ToArray();
        for (var round = 0; round < 5; round++)
            for (var i = 0; i < sockets.Length; i++)
                sender.SendTo(new byte[] { (byte)i, 1, 2, 3, (byte)round }, sockets[i].LocalEndPoint!);
        await all.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            for (var i = 0; i < sockets.Length; i++)
            {
                Assert.That(got[i], Has.Count.EqualTo(5));
                Assert.That(got[i].All(g => g.First == i && g.Length == 5 && g.From.Equals(sender.LocalEndPoint)), Is.True);
            }
        });

        // Removed: nothing more reaches the handler, while a socket still registered keeps receiving.
        registrations[0].Dispose();
        var before = got[0].Count;
        var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var probe = Bound();
        using (receiver.Register(probe, (_, _) => marker.TrySetResult()))
        {
            sender.SendTo(new byte[] { 0, 9 }, sockets[0].LocalEndPoint!);
            sender.SendTo(new byte[] { 7 }, probe.LocalEndPoint!); // sent after: once it is handled, the other had its chance
            await marker.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        Assert.That(got[0], Has.Count.EqualTo(before));
        foreach (var r in registrations.Skip(1)) r.Dispose();
        foreach (var s in sockets) s.Dispose();
    }

    [Test]
    public async Task A_datagram_larger_than_a_media_packet_is_dropped_and_the_next_one_arrives()
    {
        using var receiver = RtpReceiver.TryCreate(NullLogger.Instance);
        if (receiver is null) Assert.Ignore("epoll is Linux only");
        using var socket = Bound();
        using var sender = Bound();
        var lengths = new ConcurrentQueue<int>();
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = receiver.Register(socket, (d, _) =>
        {
            lengths.Enqueue(d.Length);
            second.TrySetResult();
        });
        sender.SendTo(new byte[4000], socket.LocalEndPoint!);
        sender.SendTo(new byte[172], socket.LocalEndPoint!);
        await second.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(lengths, Is.EqualTo(new[] { 172 }));
    }
}
