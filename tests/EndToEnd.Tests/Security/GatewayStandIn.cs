using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Hotline.EndToEnd.Tests.Security;

/// <summary>
/// The outside gateway of <see cref="SipAttackTests"/> on raw UDP: it records every call the engine places through it
/// (an INVITE with a Call-ID it has not seen) and answers as a gateway whose far end rings and never answers — 180 to
/// the INVITE, 200 + 487 to a CANCEL (RFC 3261 §9.2), 200 to a BYE — so the engine's transactions end when the call
/// does, instead of retransmitting an unanswered INVITE for 64*T1 = 32 s into the next test's observation window.
/// </summary>
internal sealed class GatewayStandIn : IDisposable
{
    private readonly UdpClient _udp;
    private readonly Lock _gate = new();
    private readonly List<string> _placed = [];
    private readonly Dictionary<string, string> _invites = new(StringComparer.Ordinal);
    private readonly List<(int After, TaskCompletionSource<string> Tcs)> _waiters = [];
    private readonly Task _loop;

    public GatewayStandIn()
    {
        _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        _loop = Task.Run(ServeAsync);
    }

    public int Port => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

    /// <summary>How many calls were placed so far: a mark for <see cref="PlacedSince"/> and <see cref="NextPlacedAsync"/>.</summary>
    public int Mark()
    {
        lock (_gate) return _placed.Count;
    }

    /// <summary>The request lines of the calls placed after <paramref name="mark"/>.</summary>
    public IReadOnlyList<string> PlacedSince(int mark)
    {
        lock (_gate) return _placed.Skip(mark).ToList();
    }

    /// <summary>The request line of the first call placed after <paramref name="mark"/>, as soon as it arrives.</summary>
    public Task<string> NextPlacedAsync(int mark, TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_placed.Count > mark) return Task.FromResult(_placed[mark]);
            var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((mark, tcs));
            return tcs.Task.WaitAsync(timeout);
        }
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            UdpReceiveResult got;
            try
            {
                got = await _udp.ReceiveAsync();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
                return;
            }
            var text = Encoding.ASCII.GetString(got.Buffer);
            var method = text[..Math.Max(0, text.IndexOf(' ', StringComparison.Ordinal))];
            var callId = RawSipPhone.Header(text, "Call-ID");
            switch (method)
            {
                case "INVITE":
                    Placed(callId, text);
                    await RespondAsync(text, "180 Ringing", got.RemoteEndPoint);
                    break;
                case "CANCEL":
                    await RespondAsync(text, "200 OK", got.RemoteEndPoint);
                    string? invite;
                    lock (_gate) _invites.TryGetValue(callId, out invite);
                    if (invite is not null) await RespondAsync(invite, "487 Request Terminated", got.RemoteEndPoint);
                    break;
                case "BYE":
                    await RespondAsync(text, "200 OK", got.RemoteEndPoint);
                    break;
            }
        }
    }

    private void Placed(string callId, string invite)
    {
        List<TaskCompletionSource<string>> due = [];
        var line = invite.Split("\r\n")[0];
        lock (_gate)
        {
            if (!_invites.TryAdd(callId, invite)) return; // A retransmission: the same call.
            _placed.Add(line);
            foreach (var w in _waiters.Where(w => w.After < _placed.Count).ToList())
            {
                _waiters.Remove(w);
                due.Add(w.Tcs);
            }
        }
        foreach (var tcs in due) tcs.TrySetResult(line);
    }

    /// <summary>A response copying the request's Via, From, To (with our tag), Call-ID and CSeq (RFC 3261 §8.2.6.2).</summary>
    private async Task RespondAsync(string request, string status, IPEndPoint to)
    {
        var headers = request.Split("\r\n").Where(l =>
            l.StartsWith("Via:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("From:", StringComparison.OrdinalIgnoreCase) ||
            l.StartsWith("Call-ID:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("CSeq:", StringComparison.OrdinalIgnoreCase));
        var toHeader = "To: " + RawSipPhone.Header(request, "To");
        if (!toHeader.Contains(";tag=", StringComparison.Ordinal)) toHeader += ";tag=gw";
        var response = "SIP/2.0 " + status + "\r\n" + string.Concat(headers.Select(h => h + "\r\n")) + toHeader + "\r\nContent-Length: 0\r\n\r\n";
        try
        {
            await _udp.SendAsync(Encoding.ASCII.GetBytes(response), to);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
        }
    }

    public void Dispose()
    {
        _udp.Dispose();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
