using System.Net;
using System.Net.Sockets;
using System.Text;
using Hotline.Cti.Calls;
using Hotline.Cti.Calls.Sip;
using Hotline.Cti.Media;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transactions;
using Hotline.Cti.Sip.Transport;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Cti.Tests.Calls;

/// <summary>
/// Every leg owns one RTP port pair until it ends, however it ends (the soak's leak, docs/benchmarks.md "Soak"):
/// after each way a call can end — rejected, cancelled while ringing, ring timeout, unusable offer, ended before the
/// leg was built, no ACK for our 200, answered and hung up either side, outbound legs refused or cancelled — both
/// sides' RTP ports in use are back to 0. Real UDP SIP and RTP on loopback.
/// </summary>
[TestFixture]
public sealed class SipTelephonyPortReleaseTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private EngineStack _engine = null!;
    private SipTelephonyHost _phone = null!;

    [SetUp]
    public void Start()
    {
        _engine = EngineStack.Start();
        _phone = SipTelephonyHost.Start(FreeRtp.Options(), TimeProvider.System);
    }

    [TearDown]
    public async Task Stop()
    {
        await _phone.DisposeAsync();
        await _engine.DisposeAsync();
    }

    private string EngineUri(string user) => $"sip:{user}@127.0.0.1:{_engine.Port}";

    private string PhoneUri(string user) => $"sip:{user}@127.0.0.1:{_phone.Port}";

    [Test]
    public async Task A_rejected_invite_frees_both_sides_ports()
    {
        _engine.Telephony.IncomingCall += (_, e) => _ = e.Leg.RejectAsync(486, CancellationToken.None);
        var call = _phone.Telephony.Dial(EngineUri("12345"), new DialOptions());
        Assert.That((await call.Answered.WaitAsync(Bound)).SipStatus, Is.EqualTo(486));
        await AssertPortsFreedAsync();
    }

    [Test]
    public async Task A_caller_cancelling_while_ringing_frees_both_sides_ports()
    {
        var incoming = NextIncomingAsync(_engine.Telephony);
        var call = _phone.Telephony.Dial(EngineUri("12345"), new DialOptions());
        var leg = await incoming.WaitAsync(Bound);
        await leg.RingAsync(CancellationToken.None);
        await call.Ringing.WaitAsync(Bound);
        call.Cancel();
        Assert.That((await call.Answered.WaitAsync(Bound)).SipStatus, Is.EqualTo(487));
        await ((SipCallLeg)leg).Completion.WaitAsync(Bound);
        await AssertPortsFreedAsync();
    }

    [Test]
    public async Task No_answer_within_the_ring_timeout_frees_both_sides_ports()
    {
        var incoming = NextIncomingAsync(_engine.Telephony);
        var call = _phone.Telephony.Dial(EngineUri("1001"), new DialOptions { RingTimeout = TimeSpan.FromMilliseconds(200) });
        var leg = await incoming.WaitAsync(Bound);
        await leg.RingAsync(CancellationToken.None);
        Assert.That((await call.Answered.WaitAsync(Bound)).SipStatus, Is.EqualTo(408));
        await ((SipCallLeg)leg).Completion.WaitAsync(Bound);
        await AssertPortsFreedAsync();
    }

    [Test]
    public async Task An_unusable_offer_frees_the_port_taken_to_answer_it()
    {
        var sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 43000 RTP/AVP 9\r\na=rtpmap:9 G722/8000\r\n";
        var session = _phone.UserAgent.Invite(new InviteRequest { Target = SipUri.Parse(EngineUri("12345")), Body = Encoding.ASCII.GetBytes(sdp) });
        Assert.That((await session.Answer.WaitAsync(Bound)).StatusCode, Is.EqualTo(488));
        await AssertPortsFreedAsync();
    }

    [Test]
    public async Task An_invite_that_ended_before_its_leg_was_built_frees_the_port()
    {
        // What a CANCEL racing the INVITE's routing does: the session is over when the telephony gets it.
        var built = new TaskCompletionSource<SipCallLeg?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _engine.OnInvite = session =>
        {
            session.Reject(487, "Request Terminated");
            built.TrySetResult(_engine.Telephony.CreateInboundLeg(session));
        };
        var raised = false;
        _engine.Telephony.IncomingCall += (_, _) => raised = true;
        var call = _phone.Telephony.Dial(EngineUri("12345"), new DialOptions());
        Assert.That((await call.Answered.WaitAsync(Bound)).SipStatus, Is.EqualTo(487));
        Assert.That(await built.Task.WaitAsync(Bound), Is.Null);
        await AssertPortsFreedAsync();
        Assert.That((raised, _engine.Telephony.ActiveLegs), Is.EqualTo((false, 0)));
    }

    [Test]
    public async Task A_200_never_acknowledged_frees_the_port_after_the_ack_timeout()
    {
        var incoming = NextIncomingAsync(_engine.Telephony);
        using var caller = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        caller.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)caller.LocalEndPoint!).Port;
        // A caller that sends the INVITE and then goes silent: no ACK for our 200 (RFC 3261 §13.3.1.4).
        await caller.SendToAsync(Encoding.ASCII.GetBytes(RawInvite(port)), new IPEndPoint(IPAddress.Loopback, _engine.Port));
        var leg = await incoming.WaitAsync(Bound);
        Assert.That(async () => await leg.AnswerAsync(CancellationToken.None).WaitAsync(Bound), Throws.TypeOf<TimeoutException>());
        await ((SipCallLeg)leg).Completion.WaitAsync(Bound);
        await AssertPortsFreedAsync();
    }

    [Test]
    public async Task Answered_calls_hung_up_by_either_side_free_both_sides_ports()
    {
        foreach (var engineHangsUp in new[] { false, true })
        {
            var incoming = NextIncomingAsync(_engine.Telephony);
            var call = _phone.Telephony.Dial(EngineUri("12345"), new DialOptions());
            var leg = (SipCallLeg)await incoming.WaitAsync(Bound);
            leg.Echo();
            await leg.AnswerAsync(CancellationToken.None).WaitAsync(Bound);
            Assert.That((await call.Answered.WaitAsync(Bound)).IsAnswered, Is.True);
            await (engineHangsUp ? leg : call.Leg).HangupAsync(CancellationToken.None).WaitAsync(Bound);
            await leg.Completion.WaitAsync(Bound);
            await ((SipCallLeg)call.Leg).Completion.WaitAsync(Bound);
            await AssertPortsFreedAsync();
        }
    }

    [Test]
    public async Task Outbound_legs_refused_or_cancelled_while_ringing_free_both_sides_ports()
    {
        // The agent legs: an agent's phone refusing (busy), and the engine cancelling a ringing agent (caller gone).
        _phone.Telephony.IncomingCall += (_, e) =>
        {
            if (e.Leg.DialedNumber == "3001") _ = e.Leg.RejectAsync(486, CancellationToken.None);
            else _ = e.Leg.RingAsync(CancellationToken.None);
        };
        var refused = _engine.Telephony.Dial(PhoneUri("3001"), new DialOptions());
        Assert.That((await refused.Answered.WaitAsync(Bound)).SipStatus, Is.EqualTo(486));

        var ringing = _engine.Telephony.Dial(PhoneUri("3002"), new DialOptions());
        await ringing.Ringing.WaitAsync(Bound);
        ringing.Cancel();
        Assert.That((await ringing.Answered.WaitAsync(Bound)).SipStatus, Is.EqualTo(487));
        await ((SipCallLeg)refused.Leg).Completion.WaitAsync(Bound);
        await ((SipCallLeg)ringing.Leg).Completion.WaitAsync(Bound);
        await AssertPortsFreedAsync();
    }

    [Test]
    public async Task A_dial_cancelled_just_after_it_was_answered_is_hung_up_and_frees_both_sides_ports()
    {
        // The caller left as the agent picked up: the ACD cancels a dial whose 2xx already came. Nobody else will
        // hang that agent leg up.
        var incoming = NextIncomingAsync(_phone.Telephony);
        var dial = _engine.Telephony.Dial(PhoneUri("3001"), new DialOptions());
        var agent = (SipCallLeg)await incoming.WaitAsync(Bound);
        await agent.AnswerAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.That((await dial.Answered.WaitAsync(Bound)).IsAnswered, Is.True);
        dial.Cancel();
        await ((SipCallLeg)dial.Leg).Completion.WaitAsync(Bound);
        await agent.Completion.WaitAsync(Bound);
        Assert.That((agent.LastCause, dial.Leg.State), Is.EqualTo((HangupCause.RemoteHangup, CallLegState.Ended)));
        await AssertPortsFreedAsync();
    }

    [Test]
    public async Task An_outbound_leg_whose_cancel_is_ignored_frees_its_port_64_T1_later()
    {
        // A phone that rings and then ignores our CANCEL (never 487): RFC 3261 §9.1 gives up on the INVITE after
        // 64*T1 (640 ms here), not after the 3-minute Proceeding guard.
        using var phone = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        phone.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)phone.LocalEndPoint!).Port;
        var dial = _engine.Telephony.Dial($"sip:3001@127.0.0.1:{port}", new DialOptions());
        var buffer = new byte[8192];
        var received = await phone.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(Bound);
        var invite = Encoding.ASCII.GetString(buffer, 0, received.ReceivedBytes);
        await phone.SendToAsync(Encoding.ASCII.GetBytes(Ringing(invite)), received.RemoteEndPoint);
        await dial.Ringing.WaitAsync(Bound);
        dial.Cancel();
        Assert.That((await dial.Answered.WaitAsync(Bound)).IsAnswered, Is.False);
        await ((SipCallLeg)dial.Leg).Completion.WaitAsync(Bound);
        await AssertPortsFreedAsync();
    }

    [Test]
    public async Task A_2xx_that_crosses_the_ring_timeouts_cancel_is_acked_and_hung_up_and_never_reported_answered()
    {
        // The agent picks up just as the ring timeout CANCELs: the ACD must not hear "answered", or it puts the caller
        // through to a leg that is being hung up (found by review, 5 Dec 2026); nor "no answer" (408), which would make
        // an agent who is at the phone not ready (RONA): cancelled (487).
        using var phone = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        phone.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)phone.LocalEndPoint!).Port;
        var dial = _engine.Telephony.Dial($"sip:3001@127.0.0.1:{port}", new DialOptions { RingTimeout = TimeSpan.FromMilliseconds(200) });
        var buffer = new byte[8192];
        var received = await phone.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(Bound);
        var invite = Encoding.ASCII.GetString(buffer, 0, received.ReceivedBytes);
        await phone.SendToAsync(Encoding.ASCII.GetBytes(Ringing(invite)), received.RemoteEndPoint);
        string cancel;
        do
        {
            var r = await phone.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(Bound);
            cancel = Encoding.ASCII.GetString(buffer, 0, r.ReceivedBytes);
        } while (!cancel.StartsWith("CANCEL ", StringComparison.Ordinal));
        // The phone's 200 to the INVITE was already on its way: it crosses the CANCEL, which it then answers 200.
        await phone.SendToAsync(Encoding.ASCII.GetBytes(Answer(invite, $"c=IN IP4 127.0.0.1\r\nm=audio {port + 2} RTP/AVP 0\r\n", port)), received.RemoteEndPoint);
        await phone.SendToAsync(Encoding.ASCII.GetBytes(Answer(cancel, null)), received.RemoteEndPoint);
        var result = await dial.Answered.WaitAsync(Bound);
        Assert.That((result.IsAnswered, result.SipStatus), Is.EqualTo((false, 487)), "cancelled: neither answered nor a no-answer");
        var methods = new List<string>();
        while (!methods.Contains("BYE"))
        {
            var r = await phone.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(Bound);
            var text = Encoding.ASCII.GetString(buffer, 0, r.ReceivedBytes);
            methods.Add(text[..text.IndexOf(' ', StringComparison.Ordinal)]);
        }
        Assert.That(methods.Where(m => m is "ACK" or "BYE"), Is.EqualTo(new[] { "ACK", "BYE" }), "the crossing 2xx ACKed, then BYE (§9.1)");
        await ((SipCallLeg)dial.Leg).Completion.WaitAsync(Bound);
        await AssertPortsFreedAsync();
    }

    /// <summary>A 200 for a raw request (a tag on the To; <paramref name="sdpMedia"/>: c= and m= lines of an answer, or none).</summary>
    private static string Answer(string request, string? sdpMedia, int contactPort = 0)
    {
        var response = new StringBuilder("SIP/2.0 200 OK\r\n");
        foreach (var line in request.Split("\r\n"))
        {
            if (line.Length == 0) break;
            var name = line.Split(':', 2)[0].Trim();
            if (name.Equals("To", StringComparison.OrdinalIgnoreCase)) response.Append(line).Append(";tag=ph1\r\n");
            else if (name is "Via" or "From" or "Call-ID" or "CSeq") response.Append(line).Append("\r\n");
        }
        if (sdpMedia is null) return response.Append("Content-Length: 0\r\n\r\n").ToString();
        var sdp = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\n" + sdpMedia.Split("\r\n")[0] + "\r\nt=0 0\r\n" + sdpMedia.Split("\r\n")[1] + "\r\na=rtpmap:0 PCMU/8000\r\n";
        return response.Append("Contact: <sip:3001@127.0.0.1:").Append(contactPort).Append(">\r\nContent-Type: application/sdp\r\nContent-Length: ")
            .Append(Encoding.ASCII.GetByteCount(sdp)).Append("\r\n\r\n").Append(sdp).ToString();
    }

    /// <summary>A 180 for a raw INVITE: its Via, From, Call-ID and CSeq, the To with a tag (RFC 3261 §8.2.6.2).</summary>
    private static string Ringing(string invite)
    {
        var response = new StringBuilder("SIP/2.0 180 Ringing\r\n");
        foreach (var line in invite.Split("\r\n"))
        {
            if (line.Length == 0) break;
            var name = line.Split(':', 2)[0].Trim();
            if (name.Equals("To", StringComparison.OrdinalIgnoreCase)) response.Append(line).Append(";tag=ph1\r\n");
            else if (name is "Via" or "From" or "Call-ID" or "CSeq" || name.Equals("v", StringComparison.Ordinal)) response.Append(line).Append("\r\n");
        }
        return response.Append("Content-Length: 0\r\n\r\n").ToString();
    }

    private static Task<ICallLeg> NextIncomingAsync(ITelephony telephony)
    {
        var tcs = new TaskCompletionSource<ICallLeg>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? s, IncomingCallEventArgs e)
        {
            telephony.IncomingCall -= Handler;
            tcs.TrySetResult(e.Leg);
        }
        telephony.IncomingCall += Handler;
        return tcs.Task;
    }

    /// <summary>
    /// Both sides' allocators back to 0. A far side's leg ends on the message we sent, which no event of ours
    /// reports, so its counter is polled (bounded).
    /// </summary>
    private async Task AssertPortsFreedAsync()
    {
        var deadline = DateTime.UtcNow + Bound;
        while ((_engine.Media.Ports.InUse != 0 || _phone.Media.Ports.InUse != 0) && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.That((_engine.Media.Ports.InUse, _phone.Media.Ports.InUse), Is.EqualTo((0, 0)), "RTP port pairs still in use (engine, phone)");
    }

    private static string RawInvite(int port)
    {
        const string sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        var id = Guid.NewGuid().ToString("N");
        return $"INVITE sip:12345@127.0.0.1 SIP/2.0\r\n" +
            $"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{id}\r\n" +
            "Max-Forwards: 70\r\n" +
            $"From: <sip:13800001234@127.0.0.1>;tag={id[..8]}\r\n" +
            "To: <sip:12345@127.0.0.1>\r\n" +
            $"Call-ID: {id}@127.0.0.1\r\n" +
            "CSeq: 1 INVITE\r\n" +
            $"Contact: <sip:13800001234@127.0.0.1:{port}>\r\n" +
            "Content-Type: application/sdp\r\n" +
            $"Content-Length: {sdp.Length}\r\n\r\n" + sdp;
    }

    /// <summary>
    /// The engine side: like <see cref="SipTelephonyHost"/>, with a short T1 (so the no-ACK timeout, 64*T1, is 640 ms)
    /// and an INVITE handler a test may replace.
    /// </summary>
    private sealed class EngineStack : IAsyncDisposable
    {
        private EngineStack(SipTransportLayer transport, MediaEngine media, SipTelephony telephony)
        {
            Transport = transport;
            Media = media;
            Telephony = telephony;
            OnInvite = session => telephony.Offer(session);
        }

        public SipTransportLayer Transport { get; }
        public MediaEngine Media { get; }
        public SipTelephony Telephony { get; }
        public Action<IncomingInviteSession> OnInvite { get; set; }
        public int Port => Transport.Port;

        public static EngineStack Start()
        {
            Microsoft.Extensions.Logging.ILoggerFactory loggers = NullLoggerFactory.Instance;
            var transport = new SipTransportLayer(new SipTransportOptions { Host = "127.0.0.1", Port = 0, EnableTcp = false },
                SipParserLimits.Default, loggers.CreateLogger<SipTransportLayer>());
            var userAgent = new SipUserAgent(transport, new SipUserAgentOptions
            {
                Domain = "127.0.0.1",
                Timers = new SipTimerSettings { T1 = TimeSpan.FromMilliseconds(10) },
            }, TimeProvider.System, loggers.CreateLogger<SipUserAgent>());
            var media = new MediaEngine(FreeRtp.Options(), TimeProvider.System, loggers);
            var telephony = new SipTelephony(userAgent, new Hotline.Cti.Sip.Registrar.SipBindings(TimeProvider.System), media, TimeProvider.System, loggers);
            var stack = new EngineStack(transport, media, telephony);
            userAgent.IncomingCall += (_, e) => stack.OnInvite(e.Session);
            transport.Start(userAgent.Receive);
            return stack;
        }

        public async ValueTask DisposeAsync()
        {
            await Transport.DisposeAsync();
            await Media.DisposeAsync();
        }
    }
}
