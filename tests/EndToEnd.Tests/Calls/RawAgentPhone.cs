using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;

namespace Hotline.EndToEnd.Tests.Calls;

/// <summary>
/// An agent's phone on raw UDP, for timing: it registers with digest (RFC 3261 §22, qop=auth, MD5), and stamps every
/// INVITE with the machine clock the moment its socket hands the datagram over (a dedicated thread blocked in
/// <c>recvfrom</c>, so no thread-pool queueing sits between arrival and stamp). It rings (180) and never answers: a
/// CANCEL gets 200 and the INVITE 487 (§9.2), a BYE or OPTIONS 200, an ACK nothing.
/// </summary>
internal sealed class RawAgentPhone : IDisposable
{
    private readonly Socket _socket;
    private readonly IPEndPoint _registrar;
    private readonly string _user;
    private readonly string _password;
    private readonly Thread _receiver;
    private readonly Channel<(string Text, double ArrivedAtUnixMs)> _responses = Channel.CreateUnbounded<(string, double)>();
    private readonly Channel<Invite> _invites = Channel.CreateUnbounded<Invite>();
    private readonly Dictionary<string, string> _inviteByCallId = new(StringComparer.Ordinal);
    private volatile bool _closed;

    /// <summary>An INVITE as it arrived: when (Unix ms, machine clock), its SIP Call-ID and the engine's call id (X-Hotline-Call).</summary>
    public sealed record Invite(double ArrivedAtUnixMs, string SipCallId, string HotlineCallId, string From);

    public RawAgentPhone(int registrarPort, string user, string password)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _registrar = new IPEndPoint(IPAddress.Loopback, registrarPort);
        _user = user;
        _password = password;
        _receiver = new Thread(Receive) { IsBackground = true, Name = "agent-phone-" + user, Priority = ThreadPriority.Highest };
        _receiver.Start();
    }

    private int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>The INVITEs in the order they arrived (retransmissions left out).</summary>
    public ChannelReader<Invite> Invites => _invites.Reader;

    /// <summary>REGISTER, answer the 401 challenge, expect 200.</summary>
    public async Task RegisterAsync(TimeSpan timeout)
    {
        var callId = "reg-" + Guid.NewGuid().ToString("N");
        using var cts = new CancellationTokenSource(timeout);
        Send(RegisterRequest(callId, 1, authorization: null));
        var challenge = await NextResponseAsync(callId, cts.Token);
        if (Status(challenge) != 401) throw new InvalidOperationException("expected a 401 challenge:\n" + challenge);
        var md5 = challenge.Split("\r\n").First(l => l.StartsWith("WWW-Authenticate:", StringComparison.OrdinalIgnoreCase) &&
            l.Contains("algorithm=MD5", StringComparison.OrdinalIgnoreCase));
        var realm = Param(md5, "realm");
        var nonce = Param(md5, "nonce");
        var uri = "sip:127.0.0.1";
        var cnonce = Guid.NewGuid().ToString("N")[..16];
        var ha1 = Md5($"{_user}:{realm}:{_password}");
        var ha2 = Md5($"REGISTER:{uri}");
        var response = Md5($"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}");
        Send(RegisterRequest(callId, 2,
            $"Digest username=\"{_user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{response}\", algorithm=MD5, cnonce=\"{cnonce}\", qop=auth, nc=00000001"));
        var ok = await NextResponseAsync(callId, cts.Token);
        if (Status(ok) != 200) throw new InvalidOperationException("REGISTER not accepted:\n" + ok);
    }

    private string RegisterRequest(string callId, int cseq, string? authorization) =>
        "REGISTER sip:127.0.0.1 SIP/2.0\r\n" +
        $"Via: SIP/2.0/UDP 127.0.0.1:{P(Port)};branch=z9hG4bK-{Guid.NewGuid():N};rport\r\n" +
        "Max-Forwards: 70\r\n" +
        $"From: <sip:{_user}@127.0.0.1>;tag=reg{P(Port)}\r\n" +
        $"To: <sip:{_user}@127.0.0.1>\r\n" +
        $"Call-ID: {callId}\r\n" +
        $"CSeq: {P(cseq)} REGISTER\r\n" +
        $"Contact: <sip:{_user}@127.0.0.1:{P(Port)}>\r\n" +
        "Expires: 600\r\n" +
        (authorization is null ? "" : $"Authorization: {authorization}\r\n") +
        "Content-Length: 0\r\n\r\n";

    private async Task<string> NextResponseAsync(string callId, CancellationToken ct)
    {
        while (true)
        {
            var (text, _) = await _responses.Reader.ReadAsync(ct);
            if (text.Contains("Call-ID: " + callId, StringComparison.OrdinalIgnoreCase)) return text;
        }
    }

    private void Receive()
    {
        var buffer = new byte[65536];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_closed)
        {
            int n;
            try
            {
                n = _socket.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException) when (_closed)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            // The stamp first: this is "the agent's phone receives the INVITE".
            var arrived = (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;
            var text = Encoding.ASCII.GetString(buffer, 0, n);
            try
            {
                Handle(text, arrived, (IPEndPoint)from);
            }
            catch (SocketException) when (_closed)
            {
                return;
            }
        }
    }

    private void Handle(string text, double arrived, IPEndPoint from)
    {
        if (text.StartsWith("SIP/2.0 ", StringComparison.Ordinal))
        {
            _responses.Writer.TryWrite((text, arrived));
            return;
        }
        var method = text[..text.IndexOf(' ', StringComparison.Ordinal)];
        var callId = Header(text, "Call-ID");
        switch (method)
        {
            case "INVITE":
            {
                var toTag = "agent" + Math.Abs(callId.GetHashCode(StringComparison.Ordinal)).ToString(CultureInfo.InvariantCulture);
                var first = !_inviteByCallId.ContainsKey(callId);
                _inviteByCallId[callId] = text;
                SendTo(Response(text, 180, "Ringing", toTag), from);
                if (first) _invites.Writer.TryWrite(new Invite(arrived, callId, Header(text, "X-Hotline-Call"), Header(text, "From")));
                break;
            }
            case "CANCEL":
                SendTo(Response(text, 200, "OK", null), from);
                if (_inviteByCallId.TryGetValue(callId, out var invite))
                    SendTo(Response(invite, 487, "Request Terminated", "agent" + Math.Abs(callId.GetHashCode(StringComparison.Ordinal)).ToString(CultureInfo.InvariantCulture)), from);
                break;
            case "ACK":
                break;
            default:
                SendTo(Response(text, 200, "OK", null), from);
                break;
        }
    }

    /// <summary>A response to <paramref name="request"/> (§8.2.6.2: Via, From, To, Call-ID and CSeq copied; a To tag added).</summary>
    private string Response(string request, int status, string reason, string? toTag)
    {
        var sb = new StringBuilder($"SIP/2.0 {P(status)} {reason}\r\n");
        foreach (var line in request.Split("\r\n"))
        {
            if (line.Length == 0) break;
            if (line.StartsWith("Via:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("From:", StringComparison.OrdinalIgnoreCase) ||
                line.StartsWith("Call-ID:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("CSeq:", StringComparison.OrdinalIgnoreCase))
                sb.Append(line).Append("\r\n");
            else if (line.StartsWith("To:", StringComparison.OrdinalIgnoreCase))
                sb.Append(line).Append(toTag is not null && !line.Contains(";tag=", StringComparison.OrdinalIgnoreCase) ? ";tag=" + toTag : "").Append("\r\n");
        }
        if (status is > 100 and < 300) sb.Append($"Contact: <sip:{_user}@127.0.0.1:{P(Port)}>\r\n");
        return sb.Append("Content-Length: 0\r\n\r\n").ToString();
    }

    private void Send(string message) => SendTo(message, _registrar);

    private void SendTo(string message, IPEndPoint to) => _socket.SendTo(Encoding.ASCII.GetBytes(message), to);

    private static int Status(string response) => int.Parse(response.AsSpan(8, 3), CultureInfo.InvariantCulture);

    private static string Header(string message, string name) =>
        message.Split("\r\n").FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim() ?? "";

    private static string Param(string header, string name)
    {
        var at = header.IndexOf(name + "=\"", StringComparison.OrdinalIgnoreCase) + name.Length + 2;
        return header[at..header.IndexOf('"', at)];
    }

    private static string Md5(string s) =>
#pragma warning disable CA5351 // RFC 3261's digest is MD5; the registrar offers it first (RFC 8760 §2.4).
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s)));
#pragma warning restore CA5351

    private static string P(int n) => n.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _closed = true;
        _socket.Dispose();
        _receiver.Join(TimeSpan.FromSeconds(2));
    }
}
