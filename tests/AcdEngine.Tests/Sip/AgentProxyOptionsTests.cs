using Hotline.AcdEngine.Sip;

namespace Hotline.AcdEngine.Tests.Sip;

/// <summary><c>Sip:AgentProxy</c> / <c>Sip:AgentDomain</c>: the proxy that rings the phones (Kamailio), validated at start.</summary>
[TestFixture]
public sealed class AgentProxyOptionsTests
{
    [TestCase("sip:127.0.0.1:5070")]
    [TestCase("sip:10.0.0.10")]
    [TestCase("sip:10.0.0.10:5060;transport=tcp")]
    [TestCase("sip:[2001:db8::10]:5060")]
    public void A_proxy_address_is_taken(string value)
    {
        var options = new SipOptions { AgentProxy = value };
        Assert.That(new SipOptionsValidator().Validate(null, options).Succeeded, Is.True);
        Assert.That(options.AgentProxyUri, Is.Not.Null);
    }

    [TestCase("kamailio.local:5060")]
    [TestCase("sip:kamailio.local:5060")]
    [TestCase("sip:1001@10.0.0.10")]
    [TestCase("sips:10.0.0.10")]
    [TestCase("sip:10.0.0.10;transport=ws")]
    public void A_name_a_user_or_another_transport_is_refused_naming_the_key(string value)
    {
        var result = new SipOptionsValidator().Validate(null, new SipOptions { AgentProxy = value });
        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("Sip:AgentProxy"));
    }

    [Test]
    public void A_bad_domain_is_refused_naming_the_key()
    {
        var result = new SipOptionsValidator().Validate(null, new SipOptions { AgentProxy = "sip:10.0.0.10", AgentDomain = "hot line" });
        Assert.That(result.FailureMessage, Does.Contain("Sip:AgentDomain"));
    }

    [Test]
    public void Empty_by_default_phones_register_with_the_engine() => Assert.That(new SipOptions().AgentProxyUri, Is.Null);
}
