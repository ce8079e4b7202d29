using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Hotline.EndToEnd.Tests.Security;

/// <summary>
/// A hand-made SIP UA on raw UDP, as an attacker writes one: it claims any From, sends INVITEs with an SDP offer for
/// its own RTP socket, ACKs what comes back and can hang up. No digest: it has no credentials.
/// </summary>
internal sealed class RawSipPhone : IDisposable
{
    private readonly UdpClient _sip;
    private readonly IPEndPoint _engine;

    public RawSipPhone(IPAddress local, int enginePort)
    {
        _sip = new UdpClient(new IPEndPoint(local, 0));
        Rtp = new UdpClient(new IPEndPoint(local, 0));
        _engine = new IPEndPoint(IPAddress.Loopback, enginePort);
    }

    public UdpClient Rtp { get; }
    private IPEndPoint Local => (IPEndPoint)_sip.Client.LocalEndPoint!;
    private IPEndPoint RtpLocal => (IPEndPoint)Rtp.Client.LocalEndPoint!;

    /// <summary>One INVITE; returns the final response (ACKed). A 2xx leaves a call up: <see cref="ByeAsync"/> ends it.</summary>
    public async Task<SipCall> InviteAsync(string number, string fromUser, TimeSpan? timeout = null)
    {
        var callId = Guid.NewGuid().ToString("N") + "@attacker";
        var branch = "z9hG4bK-" + Guid.NewGuid().ToString("N");
        var host = Local.Address.ToString();
        var sdp = $"v=0\r\no=- 1 1 IN IP4 {host}\r\ns=-\r\nc=IN IP4 {host}\r\nt=0 0\r\nm=audio {RtpLocal.Port.ToString(CultureInfo.InvariantCulture)} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        var invite =
            $"INVITE sip:{number}@127.0.0.1 SIP/2.0\r\n" +
            $"Via: SIP/2.0/UDP {host}:{Local.Port};branch={branch};rport\r\n" +
            "Max-Forwards: 70\r\n" +
            $"From: <sip:{fromUser}@127.0.0.1>;tag=atk\r\n" +
            $"To: <sip:{number}@127.0.0.1>\r\n" +
            $"Call-ID: {callId}\r\n" +
            "CSeq: 1 INVITE\r\n" +
            $"Contact: <sip:{fromUser}@{host}:{Local.Port}>\r\n" +
            "Content-Type: application/sdp\r\n" +
            $"Content-Length: {sdp.Length}\r\n\r\n" + sdp;
        await _sip.SendAsync(Encoding.ASCII.GetBytes(invite), _engine);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var text = Encoding.ASCII.GetString((await _sip.ReceiveAsync(cts.Token)).Buffer);
            if (!text.StartsWith("SIP/2.0 ", StringComparison.Ordinal) || !text.Contains(callId, StringComparison.Ordinal)) continue;
            var status = int.Parse(text.AsSpan(8, 3), CultureInfo.InvariantCulture);
            if (status < 200) continue;
            var call = new SipCall(status, text, callId, Header(text, "To"), host, Local.Port, number, fromUser);
            // §17.1.1.3: the ACK of a non-2xx reuses the INVITE's branch; the ACK of a 2xx is a new transaction.
            await SendAsync(call.Request("ACK", 1, status < 300 ? "z9hG4bK-" + Guid.NewGuid().ToString("N") : branch));
            return call;
        }
    }

    public async Task ByeAsync(SipCall call) => await SendAsync(call.Request("BYE", 2, "z9hG4bK-" + Guid.NewGuid().ToString("N")));

    /// <summary>Waits for the engine's BYE of <paramref name="call"/> and answers it 200 (RFC 3261 §15.1.2).</summary>
    public async Task<string> WaitForByeAsync(SipCall call, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var text = Encoding.ASCII.GetString((await _sip.ReceiveAsync(cts.Token)).Buffer);
            if (!text.StartsWith("BYE ", StringComparison.Ordinal) || !text.Contains(call.CallId, StringComparison.Ordinal)) continue;
            var copied = string.Concat(text.Split("\r\n").Where(l =>
                    l.StartsWith("Via:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("From:", StringComparison.OrdinalIgnoreCase) ||
                    l.StartsWith("To:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("Call-ID:", StringComparison.OrdinalIgnoreCase) ||
                    l.StartsWith("CSeq:", StringComparison.OrdinalIgnoreCase))
                .Select(l => l + "\r\n"));
            await SendAsync("SIP/2.0 200 OK\r\n" + copied + "Content-Length: 0\r\n\r\n");
            return text;
        }
    }

    private Task SendAsync(string message) => _sip.SendAsync(Encoding.ASCII.GetBytes(message), _engine).AsTask();

    internal static string Header(string message, string name) =>
        message.Split("\r\n").FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim() ?? "";

    public void Dispose()
    {
        _sip.Dispose();
        Rtp.Dispose();
    }
}

/// <summary>A final response to our INVITE and what is needed to ACK or end the call.</summary>
internal sealed record SipCall(int Status, string Response, string CallId, string To, string Host, int Port, string Number, string FromUser)
{
    /// <summary>The engine's RTP port from the SDP answer (0 without one).</summary>
    public int MediaPort => Response.Split("\r\n").FirstOrDefault(l => l.StartsWith("m=audio ", StringComparison.Ordinal)) is { } m
        ? int.Parse(m.Split(' ')[1], CultureInfo.InvariantCulture) : 0;

    public string Request(string method, int cseq, string branch) =>
        $"{method} sip:{Number}@127.0.0.1 SIP/2.0\r\n" +
        $"Via: SIP/2.0/UDP {Host}:{Port};branch={branch};rport\r\n" +
        "Max-Forwards: 70\r\n" +
        $"From: <sip:{FromUser}@127.0.0.1>;tag=atk\r\n" +
        $"To: {To}\r\n" +
        $"Call-ID: {CallId}\r\n" +
        $"CSeq: {(method == "ACK" ? 1 : cseq).ToString(CultureInfo.InvariantCulture)} {method}\r\n" +
        "Content-Length: 0\r\n\r\n";
}
