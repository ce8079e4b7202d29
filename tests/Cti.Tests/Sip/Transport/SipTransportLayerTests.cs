using System.Net;
using System.Net.Sockets;
using System.Text;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;
using Hotline.Cti.Sip.UserAgent;
using Hotline.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Cti.Tests.Sip.Transport;

/// <summary>The transport layer on real loopback sockets: UDP over IPv4 and IPv6, TCP framing, rport, 400s.</summary>
[TestFixture]
public sealed class SipTransportLayerTests
{
    private static async Task<SipTransportLayer> StartAsync(string host)
    {
        var transport = new SipTransportLayer(new SipTransportOptions { Host = host, Port = 0 }, SipParserLimits.Default,
            NullLogger<SipTransportLayer>.Instance);
        var ua = new SipUserAgent(transport, new SipUserAgentOptions(), TimeProvider.System, NullLogger<SipUserAgent>.Instance);
        transport.Start(ua.Receive);
        await Task.Yield();
        return transport;
    }

    private static string Options(string viaHost, int viaPort, string transport = "UDP", string branch = "z9hG4bKt1", string cseqMethod = "OPTIONS") =>
        $"OPTIONS sip:x@example.com SIP/2.0\r\nVia: SIP/2.0/{transport} {viaHost}:{viaPort};branch={branch};rport\r\n" +
        "From: <sip:a@example.com>;tag=1\r\nTo: <sip:x@example.com>\r\nCall-ID: t1@test\r\n" +
        $"CSeq: 7 {cseqMethod}\r\nContent-Length: 0\r\n\r\n";

    private static async Task<SipMessage> ReceiveAsync(UdpClient udp)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var result = await udp.ReceiveAsync(cts.Token);
        return SipParser.Parse(result.Buffer).Message!;
    }

    [Test]
    public async Task Udp_ipv4_answers_to_the_source_port_via_rport_and_stamps_received()
    {
        await using var transport = await StartAsync("127.0.0.1");
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        // The Via claims another host and port: rport (RFC 3581) sends the answer where the request came from.
        await udp.SendAsync(Encoding.ASCII.GetBytes(Options("192.0.2.55", 5999)), new IPEndPoint(IPAddress.Loopback, transport.Port));
        var response = await ReceiveAsync(udp);
        var local = (IPEndPoint)udp.Client.LocalEndPoint!;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(200));
            Assert.That(response.TopVia!.Received, Is.EqualTo("127.0.0.1"));
            Assert.That(response.TopVia.RportValue, Is.EqualTo(local.Port));
            Assert.That(response.GetHeader(SipHeaderId.Allow), Does.Contain("INVITE"));
        });
    }

    [Test]
    public async Task Udp_ipv6_loopback_works()
    {
        if (!Socket.OSSupportsIPv6) Assert.Ignore("No IPv6 on this machine.");
        await using var transport = await StartAsync("::1");
        using var udp = new UdpClient(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        var port = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
        await udp.SendAsync(Encoding.ASCII.GetBytes(Options("[::1]", port)), new IPEndPoint(IPAddress.IPv6Loopback, transport.Port));
        var response = await ReceiveAsync(udp);
        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.TopVia!.Host, Is.EqualTo("::1"));
    }

    [Test]
    public async Task Malformed_udp_request_gets_400_naming_the_problem()
    {
        await using var transport = await StartAsync("127.0.0.1");
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await udp.SendAsync(Encoding.ASCII.GetBytes(Options("127.0.0.1", 1, cseqMethod: "BYE")), new IPEndPoint(IPAddress.Loopback, transport.Port));
        var response = await ReceiveAsync(udp);
        Assert.That(response.StatusCode, Is.EqualTo(400));
        Assert.That(response.ReasonPhrase, Does.Contain("CSeq"));
        Assert.That(transport.RejectedCount, Is.EqualTo(1));
    }

    [Test]
    public async Task Tcp_frames_by_content_length_across_split_and_coalesced_segments()
    {
        await using var transport = await StartAsync("127.0.0.1");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, transport.Port);
        var stream = tcp.GetStream();
        var one = Encoding.ASCII.GetBytes(Options("127.0.0.1", 1, "TCP", "z9hG4bKa"));
        var two = Encoding.ASCII.GetBytes("\r\n\r\n" + Options("127.0.0.1", 1, "TCP", "z9hG4bKb"));
        // First message split in two writes, then the second glued to a keep-alive.
        await stream.WriteAsync(one.AsMemory(0, 40));
        await stream.FlushAsync();
        await stream.WriteAsync(one.AsMemory(40));
        await stream.WriteAsync(two);
        var received = new List<SipMessage>();
        var buffer = new byte[8192];
        var filled = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (received.Count < 2)
        {
            filled += await stream.ReadAsync(buffer.AsMemory(filled), cts.Token);
            var text = Encoding.ASCII.GetString(buffer, 0, filled);
            var parts = text.Split("Content-Length: 0\r\n\r\n", StringSplitOptions.RemoveEmptyEntries);
            received = parts.Where(p => p.StartsWith("SIP/2.0", StringComparison.Ordinal))
                .Select(p => SipParser.Parse(Encoding.ASCII.GetBytes(p + "Content-Length: 0\r\n\r\n")).Message!).ToList();
        }
        Assert.That(received.Select(r => r.TopVia!.Branch), Is.EqualTo(new[] { "z9hG4bKa", "z9hG4bKb" }));
        Assert.That(received, Has.All.Matches<SipMessage>(r => r.StatusCode == 200));
    }

    /// <summary>
    /// Two messages for a TCP target we have no connection to, sent from two threads at once: one connection carries
    /// both. Before (review of 5 Dec 2026), each send opened its own and the second replaced the first, closing it
    /// while it still connected, with the other message in its queue — lost, as TCP has no retransmission of ours.
    /// </summary>
    [Test]
    public async Task Two_sends_to_a_new_tcp_target_at_once_share_one_connection_and_both_arrive()
    {
        await using var transport = await StartAsync("127.0.0.1");
        for (var round = 0; round < 10; round++)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                var target = new SipEndPoint(SipProtocol.Tcp, (IPEndPoint)listener.LocalEndpoint);
                var text = new StringBuilder();
                var gate = new Lock();
                var accepted = 0;
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var accepting = Task.Run(async () =>
                {
                    while (!cts.IsCancellationRequested)
                    {
                        var client = await listener.AcceptTcpClientAsync(cts.Token);
                        Interlocked.Increment(ref accepted);
                        _ = Task.Run(async () =>
                        {
                            using var c = client;
                            var buffer = new byte[4096];
                            var stream = c.GetStream();
                            int n;
                            while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0)
                                lock (gate) text.Append(Encoding.ASCII.GetString(buffer, 0, n));
                        });
                    }
                });
                using var go = new Barrier(2);
                var sends = Enumerable.Range(0, 2).Select(i => Task.Factory.StartNew(() =>
                {
                    var message = SipParser.Parse(Encoding.ASCII.GetBytes(Options("127.0.0.1", 1, "TCP", $"z9hG4bKr{round}m{i}"))).Message!;
                    go.SignalAndWait();
                    transport.Send(message, target);
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
                await Task.WhenAll(sends);
                bool Both()
                {
                    lock (gate) return text.ToString().Contains($"z9hG4bKr{round}m0") && text.ToString().Contains($"z9hG4bKr{round}m1");
                }
                while (!Both() && !cts.IsCancellationRequested) await Task.Delay(5);
                Assert.That(Both(), Is.True, $"round {round}: both messages arrived");
                Assert.That(Volatile.Read(ref accepted) + (listener.Pending() ? 1 : 0), Is.EqualTo(1), $"round {round}: one connection");
                await cts.CancelAsync();
                try
                {
                    await accepting;
                }
                catch (OperationCanceledException)
                {
                }
            }
            finally
            {
                listener.Stop();
            }
        }
    }
}
