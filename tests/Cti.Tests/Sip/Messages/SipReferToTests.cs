using Hotline.Cti.Sip.Messages;

namespace Hotline.Cti.Tests.Sip.Messages;

/// <summary>Refer-To (RFC 3515 §2.1) and the Replaces carried in its URI headers (RFC 3891 §6.1).</summary>
[TestFixture]
public sealed class SipReferToTests
{
    [Test]
    public void Name_addr_with_escaped_replaces_gives_target_and_dialog()
    {
        var ok = SipReferTo.TryParse("<sip:1@hotline.example;transport=udp?Replaces=abc%40host%3Bto-tag%3Dt1%3Bfrom-tag%3Df1>", out var referTo, out var error);
        Assert.That(ok, Is.True, error);
        Assert.Multiple(() =>
        {
            Assert.That(referTo!.Target.User, Is.EqualTo("1"));
            Assert.That(referTo.Target.Host, Is.EqualTo("hotline.example"));
            Assert.That(referTo.Target.Headers, Is.Null, "the header part is not part of the target");
            Assert.That(referTo.Target.ToString(), Does.Not.Contain("Replaces"));
            Assert.That(referTo.Replaces, Is.EqualTo(new SipReplaces("abc@host", "t1", "f1", false)));
        });
    }

    [Test]
    public void Bare_uri_is_a_blind_target()
    {
        Assert.That(SipReferTo.TryParse("sip:2001@127.0.0.1:5060", out var referTo, out _), Is.True);
        Assert.That(referTo!.Replaces, Is.Null);
        Assert.That(referTo.Target.Port, Is.EqualTo(5060));
    }

    [TestCase("<tel:+861234>", TestName = "Not a SIP URI")]
    [TestCase("<sip:1@h?Replaces=abc%3Bto-tag%3Dt1>", TestName = "Replaces without from-tag")]
    [TestCase("<sip:1@h?Replaces=abc%3Bto-tag%3Dt1%3Bfrom-tag%3D>", TestName = "Replaces with an empty tag")]
    [TestCase("<sip:1@h?Replaces=abc%ZZ>", TestName = "Bad escape")]
    [TestCase("not a uri", TestName = "Garbage")]
    [TestCase("<sip:1@h>, <sip:2@h>", TestName = "Two values")]
    public void Malformed_values_are_refused(string value) =>
        Assert.That(SipReferTo.TryParse(value, out _, out var error), Is.False, error);

    [Test]
    public void Replaces_flags_and_matching_either_view_of_the_tags()
    {
        Assert.That(SipReplaces.TryParse("id@h;from-tag=a;to-tag=b;early-only", out var r), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(r!.EarlyOnly, Is.True);
            Assert.That(r.Names("id@h", localTag: "b", remoteTag: "a"), Is.True);
            Assert.That(r.Names("id@h", localTag: "a", remoteTag: "b"), Is.True);
            Assert.That(r.Names("id@h", localTag: "a", remoteTag: "c"), Is.False);
            Assert.That(r.Names("other@h", localTag: "b", remoteTag: "a"), Is.False);
        });
    }

    [Test]
    public void Compact_form_is_read_and_exactly_one_is_required()
    {
        var one = SipTestMessages.Request("REFER", toTag: "x", extra: "r: <sip:1@h>\r\n");
        Assert.That(SipReferTo.TryRead(one, out var referTo, out _), Is.True);
        Assert.That(referTo!.Target.User, Is.EqualTo("1"));

        var none = SipTestMessages.Request("REFER", toTag: "x");
        Assert.That(SipReferTo.TryRead(none, out _, out var e1), Is.False);
        Assert.That(e1, Does.Contain("no Refer-To"));

        var two = SipTestMessages.Request("REFER", toTag: "x", extra: "Refer-To: <sip:1@h>\r\nr: <sip:2@h>\r\n");
        Assert.That(SipReferTo.TryRead(two, out _, out var e2), Is.False);
        Assert.That(e2, Does.Contain("more than one"));
    }
}
