using System.Net;
using System.Net.Sockets;
using Hotline.Cti.Sip.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Cti.Tests.Sip.Transport;

/// <summary>
/// The UDP transport's two paths (issue 22): Linux recvmmsg/sendmmsg batches, and one recvfrom/sendto per datagram
/// (batch 1, and every other platform). Both must hand up every datagram with its source and send every reply.
/// </summary>
[TestFixture]
public sealed class SipUdpBatchTests
{
    [Test]
    public void Batches_are_used_on_linux_only_when_asked()
    {
        using var one = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance, batchSize: 1);
        using var many = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance, batchSize: 16);
        Assert.That(one.IsBatched, Is.False);
        Assert.That(many.IsBatched, Is.EqualTo(OperatingSystem.IsLinux() && LinuxDatagramBatch.IsAvailable));
    }

    [TestCase(1)]
    [TestCase(16)]
    public async Task A_burst_is_handled_whole_and_every_reply_reaches_its_sender(int batchSize)
    {
        const int count = 200;
        using var udp = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance, batchSize);
        using var stop = new CancellationTokenSource();
        // Echo each datagram back to its source, prefixed: the reply is sent from the receive loop's own thread.
        var running = udp.RunAsync(2, (d, r) => udp.Send([(byte)'R', .. d], r), stop.Token);

        using var a = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var b = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        for (var i = 0; i < count; i++)
        {
            await a.SendAsync(BitConverter.GetBytes(i), udp.LocalEndPoint);
            await b.SendAsync(BitConverter.GetBytes(-i - 1), udp.LocalEndPoint);
        }
        var fromA = await ReadAsync(a, count);
        var fromB = await ReadAsync(b, count);

        await stop.CancelAsync();
        udp.Dispose();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(fromA.Order(), Is.EqualTo(Enumerable.Range(0, count)), "every datagram of A answered to A, once");
        Assert.That(fromB.Order(), Is.EqualTo(Enumerable.Range(0, count).Select(i => -count + i)), "every datagram of B answered to B, once");
    }

    [TestCase(1)]
    [TestCase(16)]
    public async Task A_reply_larger_than_a_batch_slot_and_one_sent_from_another_thread_go_out(int batchSize)
    {
        using var udp = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance, batchSize);
        using var stop = new CancellationTokenSource();
        var sources = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var big = new byte[9000];
        big.AsSpan().Fill((byte)'x');
        var running = udp.RunAsync(1, (_, r) =>
        {
            udp.Send(big, r);
            sources.TrySetResult(r);
        }, stop.Token);

        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await client.SendAsync(new byte[] { 1 }, udp.LocalEndPoint);
        var bigReply = await client.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var source = await sources.Task.WaitAsync(TimeSpan.FromSeconds(10));
        udp.Send("later"u8, source); // not a receive loop's thread: sent at once
        var later = await client.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10));

        await stop.CancelAsync();
        udp.Dispose();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(bigReply.Buffer, Has.Length.EqualTo(9000));
        Assert.That(later.Buffer, Is.EqualTo("later"u8.ToArray()));
        Assert.That(source.Port, Is.EqualTo(((IPEndPoint)client.Client.LocalEndPoint!).Port));
    }

    [TestCase(1)]
    [TestCase(16)]
    public async Task A_send_from_another_thread_never_overtakes_what_the_loop_queued_before_it(int batchSize)
    {
        // The INVITE's shape: the loop answers 100 Trying and hands the request up; the call's 200 OK is sent from
        // another thread while the loop is still handling its batch. Here the handler waits for that other send to
        // return before it returns itself (the worst case): the 100 must still arrive first.
        using var udp = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance, batchSize);
        using var stop = new CancellationTokenSource();
        var running = udp.RunAsync(1, (_, r) =>
        {
            udp.Send("100"u8, r);
            Task.Run(() => udp.Send("200"u8, r)).Wait(TimeSpan.FromSeconds(10));
        }, stop.Token);

        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await client.SendAsync("INVITE"u8.ToArray(), udp.LocalEndPoint);
        var first = await client.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var second = await client.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10));

        await stop.CancelAsync();
        udp.Dispose();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(new[] { first.Buffer, second.Buffer }, Is.EqualTo(new[] { "100"u8.ToArray(), "200"u8.ToArray() }));
    }

    [TestCase(1)]
    [TestCase(16)]
    public async Task Ipv6_sources_are_seen_and_answered(int batchSize)
    {
        if (!Socket.OSSupportsIPv6) Assert.Ignore("no IPv6 here");
        using var udp = new SipUdpTransport(new IPEndPoint(IPAddress.IPv6Loopback, 0), NullLogger.Instance, batchSize);
        using var stop = new CancellationTokenSource();
        var running = udp.RunAsync(1, (d, r) => udp.Send(d, r), stop.Token);
        using var client = new UdpClient(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        await client.SendAsync("v6"u8.ToArray(), udp.LocalEndPoint);
        var reply = await client.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        udp.Dispose();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(reply.Buffer, Is.EqualTo("v6"u8.ToArray()));
    }

    [Test]
    public async Task Disposing_ends_batched_loops_blocked_in_a_receive()
    {
        var udp = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance, batchSize: 16);
        var running = udp.RunAsync(2, (_, _) => { }, CancellationToken.None);
        udp.Dispose();
        // Not cancelled: only the dispose (the shutdown it does, or the receive timeout behind it) can end the loops.
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(running.IsCompletedSuccessfully, Is.True);
    }

    private static async Task<List<int>> ReadAsync(UdpClient client, int count)
    {
        var values = new List<int>(count);
        while (values.Count < count)
        {
            var r = await client.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.That(r.Buffer[0], Is.EqualTo((byte)'R'));
            values.Add(BitConverter.ToInt32(r.Buffer, 1));
        }
        return values;
    }
}
