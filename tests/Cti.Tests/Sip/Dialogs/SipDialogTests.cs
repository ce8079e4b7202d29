using Hotline.Cti.Sip.Dialogs;

namespace Hotline.Cti.Tests.Sip.Dialogs;

/// <summary>Dialog state per RFC 3261 §12: route sets and in-dialog request construction.</summary>
[TestFixture]
public sealed class SipDialogTests
{
    [Test]
    public void Uas_dialog_keeps_record_route_order_and_builds_loose_routed_requests()
    {
        var invite = SipTestMessages.Request("INVITE", extra: "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n");
        var dialog = SipDialog.CreateUas(invite, "local");
        var bye = dialog.CreateRequest("BYE");
        Assert.Multiple(() =>
        {
            Assert.That(dialog.RouteSet, Is.EqualTo(new[] { "<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>" }));
            Assert.That(bye.RequestUriText, Is.EqualTo("sip:peer@127.0.0.1:5070"));
            Assert.That(bye.GetValues(Cti.Sip.Messages.SipHeaderId.Route), Is.EqualTo(dialog.RouteSet));
            Assert.That(bye.FromTag, Is.EqualTo("local"));
            Assert.That(bye.ToTag, Is.EqualTo("peer"));
            Assert.That(dialog.NextHop().Host, Is.EqualTo("p1.example.com"));
        });
    }

    [Test]
    public void Uac_dialog_reverses_record_route_and_strict_routing_rewrites_the_request_uri()
    {
        var invite = SipTestMessages.Request("INVITE");
        var ok = SipTestMessages.ResponseTo(invite, 200);
        ok.AddHeader("Record-Route", "<sip:strict.example.com>");
        ok.AddHeader("Record-Route", "<sip:p2.example.com;lr>");
        var dialog = SipDialog.CreateUac(invite, ok);
        var bye = dialog.CreateRequest("BYE");
        Assert.Multiple(() =>
        {
            Assert.That(dialog.RouteSet[0], Is.EqualTo("<sip:p2.example.com;lr>"));
            Assert.That(dialog.State, Is.EqualTo(SipDialogState.Confirmed));
            Assert.That(bye.RequestUriText, Is.EqualTo("sip:peer@127.0.0.1:5070"), "first route is loose");
        });
        var strict = SipTestMessages.ResponseTo(invite, 200);
        strict.AddHeader("Record-Route", "<sip:strict.example.com>");
        var strictBye = SipDialog.CreateUac(invite, strict).CreateRequest("BYE");
        Assert.That(strictBye.RequestUriText, Is.EqualTo("sip:strict.example.com"), "§12.2.1.1 strict routing");
        Assert.That(strictBye.GetValues(Cti.Sip.Messages.SipHeaderId.Route), Is.EqualTo(new[] { "<sip:peer@127.0.0.1:5070>" }));
    }

    [Test]
    public void Local_cseq_increases_and_remote_cseq_must_rise()
    {
        var dialog = SipDialog.CreateUas(SipTestMessages.Request("INVITE", cseq: 5), "local");
        Assert.That(dialog.CreateRequest("INFO").CSeq.Number, Is.LessThan(dialog.CreateRequest("BYE").CSeq.Number));
        Assert.That(dialog.AcceptRemoteSequence(SipTestMessages.Request("INFO", cseq: 4)), Is.False);
        Assert.That(dialog.AcceptRemoteSequence(SipTestMessages.Request("INFO", cseq: 6)), Is.True);
        Assert.That(dialog.AcceptRemoteSequence(SipTestMessages.Request("ACK", cseq: 5)), Is.True, "ACK carries the INVITE's number");
    }
}
