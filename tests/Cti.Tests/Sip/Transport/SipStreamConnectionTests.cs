using System.Net;
using System.Net.Sockets;
using System.Text;
using Hotline.Cti.Sip.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Cti.Tests.Sip.Transport;

/// <summary>One stream connection over real loopback TCP: deadlines and the bounded send queue (issue 14).</summary>
[TestFixture]
public sealed class SipStreamConnectionTests
{
    private static readonly SipStreamOptions Short = new()
    {
        MessageTimeout = TimeSpan.FromSeconds(1),
        IdleTimeout = TimeSpan.FromSeconds(3),
        SendQueueMessages = 4,
        WriteTimeout = TimeSpan.FromSeconds(1),
    };

    private static async Task<(SipStreamConnection Connection, Socket Peer, List<string> Received)> ConnectAsync(SipStreamOptions options)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await peer.ConnectAsync(listener.LocalEndPoint!);
        var accepted = await listener.AcceptAsync();
        var received = new List<string>();
        var connection = new SipStreamConnection(Task.FromResult<Stream>(new NetworkStream(accepted, ownsSocket: true)), (IPEndPoint)accepted.RemoteEndPoint!,
            options, 65535, (m, _) => { lock (received) received.Add(Encoding.ASCII.GetString(m)); }, NullLogger.Instance, CancellationToken.None);
        connection.Start();
        return (connection, peer, received);
    }

    private const string Options = "OPTIONS sip:x@h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n";

    [Test]
    public async Task A_connection_that_never_sends_a_message_is_closed_after_the_message_timeout()
    {
        var (connection, peer, _) = await ConnectAsync(Short);
        using var _ = peer;
        Assert.That(await connection.Closed.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(SipStreamCloseReason.IdleTimeout));
        Assert.That(await peer.ReceiveAsync(new byte[16]), Is.Zero, "the peer sees the close");
    }

    [Test]
    public async Task A_trickling_message_is_closed_even_though_bytes_keep_coming()
    {
        var (connection, peer, received) = await ConnectAsync(Short);
        using var _ = peer;
        await peer.SendAsync(Encoding.ASCII.GetBytes(Options));
        var bytes = Encoding.ASCII.GetBytes(Options);
        var closed = connection.Closed;
        for (var i = 0; i < bytes.Length && !closed.IsCompleted; i++)
        {
            try
            {
                await peer.SendAsync(bytes.AsMemory(i, 1));
            }
            catch (SocketException)
            {
                break;
            }
            await Task.WhenAny(closed, Task.Delay(100)); // A slowloris pace: one byte per 100 ms.
        }
        Assert.Multiple(async () =>
        {
            Assert.That(await closed.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(SipStreamCloseReason.MessageTimeout));
            Assert.That(received, Has.Count.EqualTo(1), "the complete first message was delivered");
        });
    }

    [Test]
    public async Task A_peer_that_does_not_read_is_dropped_and_sending_never_blocks()
    {
        var (connection, peer, _) = await ConnectAsync(Short with { SendQueueMessages = 2 });
        using var _ = peer; // Never reads.
        var big = new byte[60_000];
        var sent = 0;
        for (var i = 0; i < 1000 && connection.TrySend(big); i++) sent++;
        Assert.That(await connection.Closed.WaitAsync(TimeSpan.FromSeconds(10)), Is.AnyOf(SipStreamCloseReason.SendQueueFull, SipStreamCloseReason.WriteTimeout));
        Assert.That(sent, Is.LessThan(1000), "the queue is bounded");
    }

    [Test]
    public async Task Complete_messages_keep_a_connection_open_past_the_message_timeout()
    {
        var (connection, peer, received) = await ConnectAsync(Short);
        using var _ = peer;
        for (var i = 0; i < 3; i++)
        {
            await peer.SendAsync(Encoding.ASCII.GetBytes(Options));
            await Task.WhenAny(connection.Closed, Task.Delay(700));
        }
        Assert.Multiple(() =>
        {
            Assert.That(connection.Closed.IsCompleted, Is.False, "2.1 s with a message every 0.7 s");
            Assert.That(received, Has.Count.EqualTo(3));
        });
        await connection.DisposeAsync();
    }
}
