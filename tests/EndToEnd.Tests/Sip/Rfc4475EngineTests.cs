using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Sip;

/// <summary>
/// Every RFC 4475 §3 message sent to the running engine as a UAS, over UDP (and TCP where the RFC's point is about
/// framing or the connection), answered as verdicts.csv says; the engine keeps serving afterwards.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed partial class Rfc4475EngineTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private HostProcess _host = null!;
    private IPEndPoint _engine = null!;

    [OneTimeSetUp]
    public async Task StartEngine()
    {
        var port = FreePort.Next();
        _host = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = port.ToString(CultureInfo.InvariantCulture),
        });
        _engine = new IPEndPoint(IPAddress.Loopback, port);
    }

    [OneTimeTearDown]
    public async Task StopEngine() => await _host.DisposeAsync();

    private static IEnumerable<TestCaseData> Udp() => Rfc4475Corpus.All.Where(c => c.Udp != "-")
        .Select(c => new TestCaseData(c).SetName($"RFC 4475 {c.Section} {c.File} over UDP → {c.Udp}"));

    private static IEnumerable<TestCaseData> Tcp() => Rfc4475Corpus.All.Where(c => c.Tcp != "-")
        .Select(c => new TestCaseData(c).SetName($"RFC 4475 {c.Section} {c.File} over TCP → {c.Tcp}"));

    [TestCaseSource(nameof(Udp))]
    public async Task Engine_answers_over_udp_as_the_rfc_says(Rfc4475Case c)
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        // The corpus's Vias name hosts of example.com: ask for the answer at our source port (RFC 3581); see WithRport.
        await udp.SendAsync(WithRport(c.Bytes), _engine);
        if (c.Udp == "none")
        {
            await AssertOnlyMarkerAnsweredAsync(udp);
            return;
        }
        var response = await ReceiveFinalAsync(ct => udp.ReceiveAsync(ct).AsTask().ContinueWith(t => t.Result.Buffer, ct));
        AssertVerdict(c.Udp, response, c);
        await AssertOnlyMarkerAnsweredAsync(udp);
    }

    [TestCaseSource(nameof(Tcp))]
    public async Task Engine_answers_over_tcp_as_the_rfc_says(Rfc4475Case c)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_engine);
        var stream = tcp.GetStream();
        // A new Call-ID, so the copy sent over UDP is not taken for a retransmission of this one (or the reverse).
        await stream.WriteAsync(Encoding.Latin1.GetBytes(CallId().Replace(Encoding.Latin1.GetString(c.Bytes), "$0tcp.", 1)));
        var buffer = new byte[65536];
        var filled = 0;
        var response = await ReceiveFinalAsync(async ct =>
        {
            while (true)
            {
                var text = Encoding.UTF8.GetString(buffer, 0, filled);
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end >= 0)
                {
                    var one = Encoding.UTF8.GetBytes(text[..(end + 4)]);
                    var length = ContentLength().Match(text[..end]) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
                    var rest = filled - one.Length - length;
                    Buffer.BlockCopy(buffer, one.Length + length, buffer, 0, rest);
                    filled = rest;
                    return one;
                }
                var n = await stream.ReadAsync(buffer.AsMemory(filled), ct);
                if (n == 0) throw new IOException("the engine closed the connection without answering");
                filled += n;
            }
        });
        AssertVerdict(c.Tcp, response, c);
    }

    private static void AssertVerdict(string verdict, string response, Rfc4475Case c)
    {
        var status = int.Parse(response.AsSpan(8, 3), CultureInfo.InvariantCulture);
        if (verdict == "handled")
            Assert.That(status, Is.Not.AnyOf(400, 500, 505, 513), $"{c}: a valid message was refused\n{response}");
        else Assert.That(status, Is.EqualTo(int.Parse(verdict, CultureInfo.InvariantCulture)), $"{c}\n{response}");
        if (status == 420) Assert.That(response, Does.Contain("Unsupported: nothingSupportsThis, nothingSupportsThisEither"));
        if (status is 415 or 406) Assert.That(response, Does.Contain("Accept: application/sdp"));
        if (status == 400) Assert.That(response, Does.Match(@"^SIP/2\.0 400 Bad Request \(.+\)"), "the reason says what was wrong");
    }

    /// <summary>After a message that must not be answered (or was), an OPTIONS of ours is the next thing answered.</summary>
    private async Task AssertOnlyMarkerAnsweredAsync(UdpClient udp)
    {
        var local = (IPEndPoint)udp.Client.LocalEndPoint!;
        var callId = "marker-" + Guid.NewGuid().ToString("N");
        await udp.SendAsync(Encoding.ASCII.GetBytes(
            $"OPTIONS sip:hotline@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{local.Port};branch=z9hG4bK{callId};rport\r\n" +
            $"Max-Forwards: 70\r\nFrom: <sip:t@127.0.0.1>;tag=m\r\nTo: <sip:hotline@127.0.0.1>\r\nCall-ID: {callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"), _engine);
        using var cts = new CancellationTokenSource(Wait);
        while (true)
        {
            var text = Encoding.UTF8.GetString((await udp.ReceiveAsync(cts.Token)).Buffer);
            // A retransmitted final response to the corpus INVITE may still come; anything else first is a stray answer.
            if (text.Contains(callId, StringComparison.Ordinal))
            {
                Assert.That(text, Does.StartWith("SIP/2.0 200"));
                return;
            }
            Assert.That(text, Does.Not.Contain("CSeq: 1 OPTIONS"), "an unexpected answer came before the marker's");
        }
    }

    private static async Task<string> ReceiveFinalAsync(Func<CancellationToken, Task<byte[]>> receive)
    {
        using var cts = new CancellationTokenSource(Wait);
        while (true)
        {
            var text = Encoding.UTF8.GetString(await receive(cts.Token));
            if (!text.StartsWith("SIP/2.0 1", StringComparison.Ordinal)) return text;
        }
    }

    /// <summary>Adds <c>;rport</c> to the first value of the first Via header (folded lines included), and makes its branch unique.</summary>
    internal static byte[] WithRport(byte[] message)
    {
        var text = Encoding.Latin1.GetString(message);
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var via = FirstVia().Match(text[..headerEnd]);
        if (!via.Success) return message;
        var end = via.Index + via.Length;
        while (true)
        {
            var lineEnd = text.IndexOf("\r\n", end, StringComparison.Ordinal);
            end = lineEnd;
            if (lineEnd >= headerEnd || text[lineEnd + 2] is not (' ' or '\t')) break;
            end = lineEnd + 2;
        }
        var comma = text.IndexOf(',', via.Index, end - via.Index);
        var at = comma >= 0 ? comma : end;
        var top = text[via.Index..at];
        // The corpus reuses z9hG4bKkdjuw for unrelated requests from the same sent-by: §17.2.3 would rightly take the
        // second for a retransmission of the first, so an RFC 3261 branch gets a unique suffix (badbranch's bare
        // cookie, the point of §3.2.1, is left alone).
        var branch = Branch().Match(top);
        if (branch.Success && branch.Groups[1].Value.Length > 7)
            top = top[..(branch.Index + branch.Length)] + "." + Guid.NewGuid().ToString("N")[..8] + top[(branch.Index + branch.Length)..];
        return Encoding.Latin1.GetBytes(text[..via.Index] + top + ";rport" + text[at..]);
    }

    [GeneratedRegex(@"branch[ \t]*=[ \t]*(z9hG4bK[^;,\s]*)")]
    private static partial Regex Branch();

    [GeneratedRegex(@"(?im)^(?:via|v)[ \t]*:")]
    private static partial Regex FirstVia();

    [GeneratedRegex(@"(?im)^(?:call-id|i)[ \t]*:[ \t]*")]
    private static partial Regex CallId();

    [GeneratedRegex(@"(?im)^(?:content-length|l)[ \t]*:[ \t]*(\d+)")]
    private static partial Regex ContentLength();
}
