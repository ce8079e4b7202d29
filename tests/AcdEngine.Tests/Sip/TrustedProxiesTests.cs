using System.Net;
using Hotline.AcdEngine.Sip;

namespace Hotline.AcdEngine.Tests.Sip;

/// <summary><c>Sip:TrustedProxies</c>: only the listed proxies' own addresses are trusted; bad values are refused at start.</summary>
[TestFixture]
public sealed class TrustedProxiesTests
{
    [Test]
    public void Only_a_listed_address_is_trusted_also_when_seen_on_a_dual_stack_socket()
    {
        var proxies = TrustedProxies.From(new SipOptions { TrustedProxies = ["127.0.0.2", "2001:db8::5"] });
        Assert.Multiple(() =>
        {
            Assert.That(proxies.IsTrusted(IPAddress.Parse("127.0.0.2")), Is.True);
            Assert.That(proxies.IsTrusted(IPAddress.Parse("::ffff:127.0.0.2")), Is.True);
            Assert.That(proxies.IsTrusted(IPAddress.Parse("2001:db8::5")), Is.True);
            Assert.That(proxies.IsTrusted(IPAddress.Parse("127.0.0.1")), Is.False, "a phone on the same machine is not the proxy");
            Assert.That(TrustedProxies.From(new SipOptions()).IsTrusted(IPAddress.Loopback), Is.False, "none by default");
        });
    }

    [TestCase("kamailio.local")]
    [TestCase("0.0.0.0")]
    [TestCase("10.0.0.0/8")]
    public void A_name_a_wildcard_or_a_range_is_refused_naming_the_key(string value)
    {
        var result = new SipOptionsValidator().Validate(null, new SipOptions { TrustedProxies = ["127.0.0.2", value] });
        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("Sip:TrustedProxies:1"));
    }
}
