using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Cti.Tests.Sip.UserAgent;

/// <summary>REFER in an established dialog (RFC 3515): 202, sipfrag NOTIFYs (RFC 3420), Refer-Sub: false (RFC 4488), refusals.</summary>
[TestFixture]
public sealed class SipReferTests
{
    private FakeTimeProvider _time = null!;
    private FakeSender _sender = null!;
    private SipUserAgent _ua = null!;
    private IncomingInviteSession _session = null!;

    [SetUp]
    public async Task ConnectedCallAsync()
    {
        _time = new FakeTimeProvider();
        _sender = new FakeSender();
        _ua = new SipUserAgent(_sender, new SipUserAgentOptions(), _time, NullLogger<SipUserAgent>.Instance);
        _ua.IncomingCall += (_, e) => _session = e.Session;
        _ua.Receive(SipTestMessages.Request("INVITE", branch: "z9hG4bKinv", body: "v=0\r\n"), FakeSender.Peer);
        var answered = _session.AcceptAsync("v=0"u8.ToArray());
        _ua.Receive(SipTestMessages.Request("ACK", branch: "z9hG4bKack", toTag: _session.LocalTag), FakeSender.Peer);
        Assert.That(await answered, Is.True);
    }

    private void ReceiveRefer(string referTo, uint cseq = 2, string extra = "", string branch = "z9hG4bKref") =>
        _ua.Receive(SipTestMessages.Request("REFER", branch: branch, cseq: cseq, toTag: _session.LocalTag,
            extra: (referTo.Length > 0 ? "Refer-To: " + referTo + "\r\n" : "") + extra), FakeSender.Peer);

    private SipMessage ReferResponse => _sender.Last(m => m.IsResponse && m.CSeq.Method == "REFER");

    private List<SipMessage> Notifies => [.. _sender.Sent.Select(s => s.Message).Where(m => m.IsRequest && m.Method == "NOTIFY")];

    [Test]
    public void Accepted_refer_gets_202_then_notify_trying_then_the_final_status_terminating_the_subscription()
    {
        SipReferSubscription? subscription = null;
        SipReferEventArgs? seen = null;
        _session.ReferReceived += (_, e) =>
        {
            seen = e;
            subscription = e.Accept();
        };
        ReceiveRefer("<sip:1@127.0.0.1>");

        Assert.That(ReferResponse.StatusCode, Is.EqualTo(202));
        Assert.That(ReferResponse.ToTag, Is.EqualTo(_session.LocalTag));
        Assert.That(seen!.ReferTo.Target.User, Is.EqualTo("1"));
        var trying = Notifies.Single();
        Assert.Multiple(() =>
        {
            Assert.That(trying.GetHeader(SipHeaderId.Event), Is.EqualTo("refer;id=2"));
            Assert.That(trying.GetHeader("Subscription-State"), Does.StartWith("active"));
            Assert.That(trying.ContentType, Does.StartWith("message/sipfrag"));
            Assert.That(trying.BodyText, Is.EqualTo("SIP/2.0 100 Trying\r\n"));
            Assert.That(trying.CallId, Is.EqualTo("call-1@test"), "in the REFER's dialog");
            Assert.That(trying.FromTag, Is.EqualTo(_session.LocalTag));
            Assert.That(trying.ToTag, Is.EqualTo("peer"));
        });

        _ = subscription!.NotifyAsync(200);
        var final = Notifies.Last();
        Assert.Multiple(() =>
        {
            Assert.That(final.BodyText, Is.EqualTo("SIP/2.0 200 OK\r\n"));
            Assert.That(final.GetHeader("Subscription-State"), Is.EqualTo("terminated;reason=noresource"));
            Assert.That(final.CSeq.Number, Is.GreaterThan(trying.CSeq.Number));
            Assert.That(subscription.IsTerminated, Is.True);
        });
        _ = subscription.NotifyAsync(486);
        Assert.That(Notifies, Has.Count.EqualTo(2), "nothing after the terminating NOTIFY");
    }

    [Test]
    public void Failure_is_reported_as_its_status_line()
    {
        SipReferSubscription? subscription = null;
        _session.ReferReceived += (_, e) => subscription = e.Accept();
        ReceiveRefer("<sip:1@127.0.0.1>");
        _ = subscription!.NotifyAsync(486);
        Assert.That(Notifies.Last().BodyText, Is.EqualTo("SIP/2.0 486 Busy Here\r\n"));
    }

    [Test]
    public void Refer_sub_false_gets_202_with_refer_sub_false_and_no_notify()
    {
        SipReferSubscription? subscription = null;
        _session.ReferReceived += (_, e) => subscription = e.Accept();
        ReceiveRefer("<sip:1@127.0.0.1>", extra: "Refer-Sub: false\r\nRequire: norefersub\r\n");
        Assert.That(ReferResponse.StatusCode, Is.EqualTo(202));
        Assert.That(ReferResponse.GetHeader("Refer-Sub"), Is.EqualTo("false"));
        _ = subscription!.NotifyAsync(200);
        Assert.That(Notifies, Is.Empty);
    }

    [TestCase("", TestName = "No Refer-To")]
    [TestCase("<sip:1@h>\r\nRefer-To: <sip:2@h>", TestName = "Two Refer-To")]
    [TestCase("<sip:1@h?Replaces=abc>", TestName = "Unparsable Replaces")]
    [TestCase("<mailto:x@example.org>", TestName = "Not SIP")]
    public void Malformed_refer_gets_400_and_is_not_raised(string referTo)
    {
        var raised = false;
        _session.ReferReceived += (_, _) => raised = true;
        ReceiveRefer(referTo);
        Assert.That(ReferResponse.StatusCode, Is.EqualTo(400));
        Assert.That(raised, Is.False);
        Assert.That(Notifies, Is.Empty);
        Assert.That(_session.State, Is.EqualTo(SipSessionState.Connected), "the call goes on");
    }

    [Test]
    public void Refer_nobody_accepts_gets_the_refusal_status()
    {
        _session.ReferReceived += (_, e) => e.RefuseStatus = 403;
        ReceiveRefer("<sip:1@h>");
        Assert.That(ReferResponse.StatusCode, Is.EqualTo(403));

        ReceiveRefer("<sip:1@h>", cseq: 3, branch: "z9hG4bKref2");
        Assert.That(Notifies, Is.Empty);
    }

    [Test]
    public void Refer_without_handler_is_declined()
    {
        ReceiveRefer("<sip:1@h>");
        Assert.That(ReferResponse.StatusCode, Is.EqualTo(603));
    }

    [Test]
    public void Refer_outside_a_dialog_is_forbidden_and_to_an_unknown_dialog_is_481()
    {
        _ua.Receive(SipTestMessages.Request("REFER", branch: "z9hG4bKood", callId: "other@test", extra: "Refer-To: <sip:1@h>\r\n"), FakeSender.Peer);
        Assert.That(_sender.Last(m => m.IsResponse && m.CallId == "other@test").StatusCode, Is.EqualTo(403));
        _ua.Receive(SipTestMessages.Request("REFER", branch: "z9hG4bKgone", callId: "gone@test", toTag: "nope", extra: "Refer-To: <sip:1@h>\r\n"), FakeSender.Peer);
        Assert.That(_sender.Last(m => m.IsResponse && m.CallId == "gone@test").StatusCode, Is.EqualTo(481));
    }

    [Test]
    public void Unsupported_required_extension_still_gets_420()
    {
        ReceiveRefer("<sip:1@h>", extra: "Require: 100rel\r\n");
        Assert.That(ReferResponse.StatusCode, Is.EqualTo(420));
        Assert.That(ReferResponse.GetHeader("Unsupported"), Is.EqualTo("100rel"));
    }
}
