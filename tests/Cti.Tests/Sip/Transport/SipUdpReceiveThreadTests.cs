using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Hotline.Cti.Sip.Transport;

namespace Hotline.Cti.Tests.Sip.Transport;

/// <summary>
/// The UDP receive loops run on their own threads, not the thread pool (a starved pool held up the 100 Trying in the
/// whole-site test, docs/scaling.md), and end when the socket is disposed.
/// </summary>
[TestFixture]
public sealed class SipUdpReceiveThreadTests
{
    [Test]
    public async Task A_datagram_is_handled_off_the_thread_pool_and_disposing_ends_the_loops()
    {
        var udp = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        var handled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var running = udp.RunAsync(2, (_, _) => handled.TrySetResult(Thread.CurrentThread.IsThreadPoolThread), stop.Token);

        using var client = new UdpClient(AddressFamily.InterNetwork);
        await client.SendAsync(new byte[] { 1, 2, 3 }, udp.LocalEndPoint);
        var onPool = await handled.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await stop.CancelAsync();
        udp.Dispose();
        // A blocked receive is aborted by the dispose: the loops end (a loop left blocked would never complete this).
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(onPool, Is.False, "handled on a dedicated receive thread");
    }
}
