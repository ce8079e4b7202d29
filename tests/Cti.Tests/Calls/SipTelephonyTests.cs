using System.Net;
using System.Net.Sockets;
using System.Text;
using Hotline.Cti.Calls;
using Hotline.Cti.Calls.Sip;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.UserAgent;

namespace Hotline.Cti.Tests.Calls;

/// <summary>
/// Two telephony hosts on loopback (an "engine" and a "phone"), real UDP SIP and RTP between them: inbound and
/// outbound legs, DTMF, BYE both ways, rejection, ring timeout with CANCEL, unusable offers.
/// </summary>
[TestFixture]
public sealed class SipTelephonyTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private SipTelephonyHost _engine = null!;
    private SipTelephonyHost _phone = null!;

    [SetUp]
    public void Start()
    {
        _engine = SipTelephonyHost.Start(FreeRtp.Options(), TimeProvider.System);
        _phone = SipTelephonyHost.Start(FreeRtp.Options(), TimeProvider.System);
    }

    [TearDown]
    public async Task Stop()
    {
        await _phone.DisposeAsync();
        await _engine.DisposeAsync();
    }

    private string EngineUri(string user) => $"sip:{user}@127.0.0.1:{_engine.Port}";

    private Task<ICallLeg> NextIncomingAsync()
    {
        var tcs = new TaskCompletionSource<ICallLeg>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? s, IncomingCallEventArgs e)
        {
            _engine.Telephony.IncomingCall -= Handler;
            tcs.TrySetResult(e.Leg);
        }
        _engine.Telephony.IncomingCall += Handler;
        return tcs.Task;
    }

    private static Task<CallLegEndedEventArgs> EndedAsync(ICallLeg leg)
    {
        var tcs = new TaskCompletionSource<CallLegEndedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        leg.Ended += (_, e) => tcs.TrySetResult(e);
        return tcs.Task;
    }

    [Test]
    public async Task An_answered_call_carries_rfc4733_dtmf_and_ends_with_bye_from_the_caller()
    {
        var incoming = NextIncomingAsync();
        var call = _phone.Telephony.Dial(EngineUri("12345"), new DialOptions { CallerId = "13800001234", DisplayName = "Zhang" });
        var leg = await incoming.WaitAsync(Bound);
        Assert.Multiple(() =>
        {
            Assert.That(leg.Direction, Is.EqualTo(CallLegDirection.Inbound));
            Assert.That(leg.DialedNumber, Is.EqualTo("12345"));
            Assert.That(leg.RemoteUser, Is.EqualTo("13800001234"));
            Assert.That(leg.RemoteDisplayName, Is.EqualTo("Zhang"));
            Assert.That(leg.State, Is.EqualTo(CallLegState.Offering));
        });
        var digit = new TaskCompletionSource<char>(TaskCreationOptions.RunContinuationsAsynchronously);
        leg.Dtmf += (_, e) => digit.TrySetResult(e.Digit);
        var engineEnded = EndedAsync(leg);

        await leg.RingAsync(CancellationToken.None);
        await call.Ringing.WaitAsync(Bound);
        await leg.AnswerAsync(CancellationToken.None).WaitAsync(Bound);
        var result = await call.Answered.WaitAsync(Bound);
        Assert.That(result.IsAnswered, Is.True, result.Reason);
        Assert.That((leg.State, call.Leg.State), Is.EqualTo((CallLegState.Connected, CallLegState.Connected)));

        ((SipCallLeg)call.Leg).Media.SendDtmf('7');
        Assert.That(await digit.Task.WaitAsync(Bound), Is.EqualTo('7'));

        await call.Leg.HangupAsync(CancellationToken.None).WaitAsync(Bound);
        var ended = await engineEnded.WaitAsync(Bound);
        Assert.That((ended.Cause, leg.State, call.Leg.State), Is.EqualTo((HangupCause.RemoteHangup, CallLegState.Ended, CallLegState.Ended)));
    }

    /// <summary>The phone dials the engine, which answers: the engine's leg and the phone's call, both connected.</summary>
    private async Task<(ICallLeg Leg, IOutboundCall Call)> AnsweredCallAsync()
    {
        var incoming = NextIncomingAsync();
        var call = _phone.Telephony.Dial(EngineUri("12345"), new DialOptions());
        var leg = await incoming.WaitAsync(Bound);
        await leg.AnswerAsync(CancellationToken.None).WaitAsync(Bound);
        await call.Answered.WaitAsync(Bound);
        return (leg, call);
    }

    [Test]
    public async Task The_engine_hanging_up_sends_bye_and_the_caller_sees_a_remote_hangup()
    {
        var (leg, call) = await AnsweredCallAsync();
        var callerEnded = EndedAsync(call.Leg);
        await leg.HangupAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.That((await callerEnded.WaitAsync(Bound)).Cause, Is.EqualTo(HangupCause.RemoteHangup));
    }

    /// <summary>
    /// A phone gone from the network never answers our BYE: the leg still ends at once (RFC 3261 §15: the session is
    /// over when the BYE is sent). It waited for Timer F (32 s), and so did the call's end and the agent's wrap-up.
    /// </summary>
    [Test]
    public async Task Hanging_up_a_phone_that_is_gone_from_the_network_ends_the_leg_without_waiting_for_the_bye_to_be_answered()
    {
        var (leg, call) = await AnsweredCallAsync();
        var ended = EndedAsync(leg);
        await _phone.Transport.DisposeAsync(); // The phone's network drops: nothing it is sent is answered.
        await leg.HangupAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.That((await ended.WaitAsync(Bound)).Cause, Is.EqualTo(HangupCause.LocalHangup));
        Assert.That(leg.State, Is.EqualTo(CallLegState.Ended));
    }

    [Test]
    public async Task A_rejected_dial_reports_the_status_and_ends_the_leg()
    {
        _engine.Telephony.IncomingCall += (_, e) => _ = e.Leg.RejectAsync(486, CancellationToken.None);
        var call = _phone.Telephony.Dial(EngineUri("1001"), new DialOptions());
        var result = await call.Answered.WaitAsync(Bound);
        Assert.That((result.IsAnswered, result.SipStatus), Is.EqualTo((false, 486)));
        Assert.That((await EndedOrNowAsync(call.Leg)).Cause, Is.EqualTo(HangupCause.Failed));
    }

    [Test]
    public async Task No_answer_within_the_ring_timeout_cancels_and_reports_408_while_the_callee_sees_the_cancel()
    {
        var incoming = NextIncomingAsync();
        var call = _phone.Telephony.Dial(EngineUri("1001"), new DialOptions { RingTimeout = TimeSpan.FromMilliseconds(300) });
        var leg = await incoming.WaitAsync(Bound);
        var calleeEnded = EndedAsync(leg);
        await leg.RingAsync(CancellationToken.None); // §9.1: CANCEL waits for a provisional response.
        var result = await call.Answered.WaitAsync(Bound);
        Assert.That((result.IsAnswered, result.SipStatus), Is.EqualTo((false, 408)));
        Assert.That((await calleeEnded.WaitAsync(Bound)).Cause, Is.EqualTo(HangupCause.RemoteHangup));
    }

    [Test]
    public async Task Cancel_from_the_caller_side_reports_487()
    {
        var incoming = NextIncomingAsync();
        var call = _phone.Telephony.Dial(EngineUri("1001"), new DialOptions());
        var leg = await incoming.WaitAsync(Bound);
        await leg.RingAsync(CancellationToken.None);
        await call.Ringing.WaitAsync(Bound);
        call.Cancel();
        var result = await call.Answered.WaitAsync(Bound);
        Assert.That((result.IsAnswered, result.SipStatus), Is.EqualTo((false, 487)));
        Assert.That((await EndedOrNowAsync(call.Leg)).Cause, Is.EqualTo(HangupCause.LocalHangup));
    }

    [TestCase(true, TestName = "A_cancel_for_a_call_answered_elsewhere_carries_the_rfc_3326_reason")]
    [TestCase(false, TestName = "A_plain_cancel_carries_no_reason")]
    public async Task The_cancel_says_why(bool completedElsewhere)
    {
        // The phone is a bare UDP socket: what the engine sends is read as bytes, nothing of our stack parses it.
        using var phone = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)phone.Client.LocalEndPoint!).Port;
        var call = _engine.Telephony.Dial($"sip:1001@127.0.0.1:{port}", new DialOptions());
        var (invite, engine) = await NextRequestAsync(phone, "INVITE");
        await phone.SendAsync(Encoding.ASCII.GetBytes(Response(invite, "180 Ringing", toTag: "ph1")), engine);
        await call.Ringing.WaitAsync(Bound);

        if (completedElsewhere) call.CancelCompletedElsewhere();
        else call.Cancel();
        var (cancel, _) = await NextRequestAsync(phone, "CANCEL");
        if (completedElsewhere)
            Assert.That(cancel, Does.Contain("\r\nReason: SIP;cause=200;text=\"Call completed elsewhere\"\r\n"), cancel);
        else
            Assert.That(cancel, Does.Not.Contain("Reason:"), cancel);

        // The phone answers as RFC 3261 §9.2 says: 200 to the CANCEL, 487 to the INVITE; the dial ends cancelled.
        await phone.SendAsync(Encoding.ASCII.GetBytes(Response(cancel, "200 OK", toTag: null)), engine);
        await phone.SendAsync(Encoding.ASCII.GetBytes(Response(invite, "487 Request Terminated", toTag: "ph1")), engine);
        var result = await call.Answered.WaitAsync(Bound);
        Assert.That((result.IsAnswered, result.SipStatus), Is.EqualTo((false, 487)));
    }

    /// <summary>The next request of <paramref name="method"/> the bare phone receives (retransmissions of others skipped).</summary>
    private static async Task<(string Text, IPEndPoint From)> NextRequestAsync(UdpClient phone, string method)
    {
        while (true)
        {
            var datagram = await phone.ReceiveAsync(CancellationToken.None).AsTask().WaitAsync(Bound);
            var text = Encoding.ASCII.GetString(datagram.Buffer);
            if (text.StartsWith(method + " ", StringComparison.Ordinal)) return (text, datagram.RemoteEndPoint);
        }
    }

    /// <summary>A response to <paramref name="request"/> (RFC 3261 §8.2.6): its Via, From, Call-ID and CSeq; To with our tag.</summary>
    private static string Response(string request, string status, string? toTag)
    {
        var response = new StringBuilder("SIP/2.0 " + status + "\r\n");
        foreach (var line in request[..request.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n").Skip(1))
        {
            var name = line[..line.IndexOf(':')].Trim();
            if (name is "Via" or "From" or "Call-ID" or "CSeq") response.Append(line).Append("\r\n");
            else if (name == "To") response.Append(line).Append(toTag is null || line.Contains(";tag=", StringComparison.Ordinal) ? "" : ";tag=" + toTag).Append("\r\n");
        }
        return response.Append("Content-Length: 0\r\n\r\n").ToString();
    }

    [Test]
    public async Task An_offer_without_a_common_codec_gets_488_and_raises_no_call()
    {
        var raised = false;
        _engine.Telephony.IncomingCall += (_, _) => raised = true;
        var sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 43000 RTP/AVP 9\r\na=rtpmap:9 G722/8000\r\n";
        var session = _phone.UserAgent.Invite(new InviteRequest { Target = SipUri.Parse(EngineUri("12345")), Body = Encoding.ASCII.GetBytes(sdp) });
        var final = await session.Answer.WaitAsync(Bound);
        Assert.That((final.StatusCode, raised, _engine.Telephony.ActiveLegs), Is.EqualTo((488, false, 0)));
    }

    [Test]
    public void Dialling_a_user_who_is_not_registered_fails_clearly()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => _phone.Telephony.Dial("1001", new DialOptions()));
        Assert.That(ex!.Message, Does.Contain("1001").And.Contain("not registered"));
    }

    [Test]
    public async Task A_registered_user_is_dialled_at_their_contact()
    {
        _phone.Bindings.Update("1001", [(EngineUri("1001"), 300)], "reg-1", 1, "127.0.0.1", null, maxContacts: 10);
        var incoming = NextIncomingAsync();
        var call = _phone.Telephony.Dial("1001", new DialOptions { CallerId = "12345" });
        var leg = await incoming.WaitAsync(Bound);
        Assert.That((leg.DialedNumber, leg.RemoteUser, call.Leg.Direction), Is.EqualTo(("1001", "12345", CallLegDirection.Outbound)));
        await leg.RejectAsync(480, CancellationToken.None);
        Assert.That((await call.Answered.WaitAsync(Bound)).SipStatus, Is.EqualTo(480));
    }

    /// <summary>
    /// <c>OutboundProxy</c> (the engine's <c>Sip:AgentProxy</c>, Kamailio): a user without a binding here is dialled at the
    /// proxy with their address of record as Request-URI (RFC 3261 §16.5); the proxy's 404 (not registered) is the result.
    /// </summary>
    [Test]
    public async Task With_an_outbound_proxy_a_user_is_dialled_at_the_proxy_with_their_address_of_record()
    {
        var viaProxy = new SipTelephony(_phone.UserAgent, _phone.Bindings, _phone.Media, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance)
        {
            OutboundProxy = SipUri.Parse($"sip:127.0.0.1:{_engine.Port}"),
            ProxyDomain = "hotline.test",
        };
        var requestUri = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _engine.UserAgent.IncomingCall += (_, e) => requestUri.TrySetResult(e.Session.Invite.RequestUri!.ToString());
        var incoming = NextIncomingAsync();
        var call = viaProxy.Dial("1001", new DialOptions { CallerId = "12345" });
        var leg = await incoming.WaitAsync(Bound);
        Assert.That(await requestUri.Task.WaitAsync(Bound), Is.EqualTo("sip:1001@hotline.test"));
        Assert.That(leg.DialedNumber, Is.EqualTo("1001"));
        await leg.RejectAsync(404, CancellationToken.None);
        Assert.That((await call.Answered.WaitAsync(Bound)).SipStatus, Is.EqualTo(404), "not registered at the proxy");
        Assert.Throws<ArgumentException>(() => viaProxy.Dial("10 01", new DialOptions()), "a user part only");
    }

    private static async Task<CallLegEndedEventArgs> EndedOrNowAsync(ICallLeg leg)
    {
        var ended = EndedAsync(leg);
        if (leg.State == CallLegState.Ended) return new CallLegEndedEventArgs(((SipCallLeg)leg).LastCause, 0);
        return await ended.WaitAsync(Bound);
    }
}
