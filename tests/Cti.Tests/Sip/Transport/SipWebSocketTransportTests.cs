using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Cti.Tests.Sip.Transport;

/// <summary>
/// SIP over WebSocket on real loopback sockets with .NET's own WebSocket client (plain <c>ws</c>, allowed here
/// explicitly): one SIP message per WebSocket message, requests for a browser's made-up Contact host go over the
/// connection that announced it, a second connection cannot hijack that flow, and an oversized message closes the
/// connection with 1009.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SipWebSocketTransportTests
{
    private static SipTransportLayer Start(Action<SipMessage, SipEndPoint> received, int maxMessageBytes = 65_535)
    {
        var transport = new SipTransportLayer(new SipTransportOptions
        {
            Host = "127.0.0.1", Port = 0, EnableTcp = false,
            WebSocket = new SipWebSocketOptions { Port = 0, Path = "/sip", AllowPlain = true },
        }, new SipParserLimits { MaxMessageBytes = maxMessageBytes }, NullLogger<SipTransportLayer>.Instance);
        transport.Start((m, s) => received(m, s));
        return transport;
    }

    private static async Task<ClientWebSocket> ConnectAsync(SipTransportLayer transport)
    {
        var ws = new ClientWebSocket();
        ws.Options.AddSubProtocol("sip");
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{transport.WebSocketPort}/sip"), CancellationToken.None);
        Assert.That(ws.SubProtocol, Is.EqualTo("sip"));
        return ws;
    }

    private static string Options(string callId, string contactHost) =>
        "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bK-" + callId + "\r\nMax-Forwards: 70\r\n"
        + "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\n"
        + "Contact: <sip:a@" + contactHost + ";transport=ws>\r\nContent-Length: 0\r\n\r\n";

    private static Task SendAsync(ClientWebSocket ws, string text) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<string> ReceiveAsync(ClientWebSocket ws)
    {
        var buffer = new byte[70_000];
        var filled = 0;
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer.AsMemory(filled), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            if (r.MessageType == WebSocketMessageType.Close) return "close:" + (int?)ws.CloseStatus;
            filled += r.Count;
            if (r.EndOfMessage) return Encoding.UTF8.GetString(buffer, 0, filled);
        }
    }

    private static SipMessage Request(string callId) => SipParser.Parse(Encoding.ASCII.GetBytes(
        "MESSAGE sip:a@flow.invalid;transport=ws SIP/2.0\r\nVia: SIP/2.0/WSS 127.0.0.1;branch=z9hG4bK-" + callId + "\r\nMax-Forwards: 70\r\n"
        + "From: <sip:engine@127.0.0.1>;tag=2\r\nTo: <sip:a@127.0.0.1>\r\nCall-ID: " + callId + "\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n")).Message!;

    [Test]
    public async Task A_browsers_flow_is_its_own_connection_and_cannot_be_taken_over()
    {
        var seen = new ConcurrentQueue<(string CallId, SipEndPoint Source)>();
        var arrived = new SemaphoreSlim(0);
        await using var transport = Start((m, s) => { seen.Enqueue((m.CallId, s)); arrived.Release(); });
        using var browser = await ConnectAsync(transport);
        using var intruder = await ConnectAsync(transport);

        await SendAsync(browser, Options("b1", "flow1.invalid"));
        Assert.That(await arrived.WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
        await SendAsync(intruder, Options("i1", "flow1.invalid")); // claims the browser's flow
        await SendAsync(intruder, Options("i2", "flow2.invalid")); // and one of its own
        Assert.That(await arrived.WaitAsync(TimeSpan.FromSeconds(10)) && await arrived.WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(seen.Select(s => s.Source.Protocol), Is.All.EqualTo(SipProtocol.Ws));

        transport.Send(Request("to-flow1"), SipAddressResolver.Resolve(SipUri.Parse("sip:a@flow1.invalid;transport=ws")));
        transport.Send(Request("to-flow2"), SipAddressResolver.Resolve(SipUri.Parse("sip:a@flow2.invalid;transport=ws")));
        Assert.That(await ReceiveAsync(browser), Does.Contain("Call-ID: to-flow1"), "the browser gets its own requests");
        // The intruder's first message is the one for its own flow: the browser's never reached it.
        Assert.That(await ReceiveAsync(intruder), Does.Contain("Call-ID: to-flow2"));
    }

    [Test]
    public async Task An_oversized_message_closes_the_connection_with_1009()
    {
        await using var transport = Start((_, _) => { }, maxMessageBytes: 2000);
        using var ws = await ConnectAsync(transport);
        await SendAsync(ws, Options("big", "flow3.invalid").Replace("Content-Length: 0", "X-Pad: " + new string('a', 3000) + "\r\nContent-Length: 0"));
        Assert.That(await ReceiveAsync(ws), Is.EqualTo("close:1009"));
    }

    [Test]
    public void Without_tls_and_without_allow_plain_the_listener_refuses_to_start()
    {
        var e = Assert.Throws<InvalidOperationException>(() => _ = new SipTransportLayer(new SipTransportOptions
        {
            Host = "127.0.0.1", Port = 0, EnableTcp = false, WebSocket = new SipWebSocketOptions { Port = 0 },
        }, SipParserLimits.Default, NullLogger<SipTransportLayer>.Instance));
        Assert.That(e!.Message, Does.Contain("Sip:WebSocket:AllowPlain"));
    }
}
