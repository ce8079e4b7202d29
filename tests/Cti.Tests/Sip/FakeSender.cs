using System.Net;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;

namespace Hotline.Cti.Tests.Sip;

/// <summary>An in-process transport for unit tests: records what the layer above sends.</summary>
internal sealed class FakeSender : ISipSender
{
    private readonly Lock _gate = new();
    private readonly List<(SipMessage Message, SipEndPoint To)> _sent = [];

    public IReadOnlyList<(SipMessage Message, SipEndPoint To)> Sent
    {
        get
        {
            lock (_gate) return [.. _sent];
        }
    }

    public int Count(Func<SipMessage, bool> match) => Sent.Count(s => match(s.Message));

    public SipMessage Last(Func<SipMessage, bool> match) => Sent.Last(s => match(s.Message)).Message;

    /// <summary>Runs on the sending thread before a message is recorded (a test holds a send up here to force a race).</summary>
    public Action<SipMessage>? BeforeSend { get; set; }

    /// <summary>
    /// Forces a race a lock must decide: the first time a <paramref name="method"/> is about to go out, runs
    /// <paramref name="race"/> on another thread and holds the send until that thread sends <paramref name="until"/>,
    /// or 500 ms pass (ample for it, unless the code under test holds it back). Completes with the racing thread's task.
    /// </summary>
    public Task<Task> RaceWhileSending(string method, Action race, string until)
    {
        var racer = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = new ManualResetEventSlim();
        BeforeSend = m =>
        {
            if (m.Method == until) sent.Set();
            if (m.Method != method || racer.Task.IsCompleted) return;
            racer.SetResult(Task.Run(race));
            sent.Wait(TimeSpan.FromMilliseconds(500));
        };
        return racer.Task;
    }

    public void Send(SipMessage message, SipEndPoint destination)
    {
        BeforeSend?.Invoke(message);
        // Serialize and re-parse, as a wire would: what we record is what a peer would read.
        var wire = SipParser.Parse(SipSerializer.ToArray(message));
        lock (_gate) _sent.Add((wire.Message ?? message, destination));
    }

    public string SentBy(SipProtocol protocol) => "127.0.0.1:5060";

    public static SipEndPoint Peer { get; } = new(SipProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 5070));
    public static SipEndPoint TcpPeer { get; } = new(SipProtocol.Tcp, new IPEndPoint(IPAddress.Loopback, 5070));
}

/// <summary>Requests as a peer would send them.</summary>
internal static class SipTestMessages
{
    public static SipMessage Request(string method, string branch = "z9hG4bKtest1", string uri = "sip:*43@127.0.0.1", uint cseq = 1,
        string? toTag = null, string callId = "call-1@test", string fromTag = "peer", string? body = null, string extra = "")
    {
        var text =
            $"{method} {uri} SIP/2.0\r\n" +
            $"Via: SIP/2.0/UDP 127.0.0.1:5070;branch={branch};rport\r\n" +
            "Max-Forwards: 70\r\n" +
            $"From: <sip:13800001234@127.0.0.1>;tag={fromTag}\r\n" +
            $"To: <{uri}>{(toTag is null ? "" : ";tag=" + toTag)}\r\n" +
            $"Call-ID: {callId}\r\n" +
            $"CSeq: {cseq} {method}\r\n" +
            "Contact: <sip:peer@127.0.0.1:5070>\r\n" +
            extra +
            (body is null ? "Content-Length: 0\r\n\r\n" : $"Content-Type: application/sdp\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        var r = SipParser.Parse(System.Text.Encoding.ASCII.GetBytes(text));
        Assert.That(r.Error, Is.EqualTo(SipParseError.None), text);
        return r.Message!;
    }

    public static SipMessage ResponseTo(SipMessage request, int status, string? toTag = "remote")
    {
        var response = SipResponses.Create(request, status, toTag: toTag);
        if (status is >= 200 and < 300) response.AddHeader(SipHeaderNames.Contact, "<sip:peer@127.0.0.1:5070>");
        return SipParser.Parse(SipSerializer.ToArray(response)).Message!;
    }
}
