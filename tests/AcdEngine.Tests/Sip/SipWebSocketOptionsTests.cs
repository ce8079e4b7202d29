using Hotline.AcdEngine.Sip;
using Microsoft.Extensions.Configuration;

namespace Hotline.AcdEngine.Tests.Sip;

/// <summary><c>Sip:WebSocket:*</c>: wss needs the TLS certificate; plain ws only when explicitly allowed; bad values name their key.</summary>
[TestFixture]
public sealed class SipWebSocketOptionsTests
{
    private static IConfiguration Config(bool demo) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Security:DemoMode"] = demo ? "true" : "false" }).Build();

    [Test]
    public void Without_a_certificate_plain_ws_is_refused_unless_allowed_or_in_demo_mode()
    {
        var options = new SipOptions { WebSocket = { Enabled = true } };
        var refused = new SipOptionsValidator(Config(demo: false)).Validate(null, options);
        Assert.That(refused.Failed, Is.True);
        Assert.That(refused.FailureMessage, Does.Contain("Sip:WebSocket").And.Contain("Sip:Tls:CertificatePath"));
        Assert.That(new SipOptionsValidator(Config(demo: true)).Validate(null, options).Succeeded, Is.True, "demo mode allows ws (loudly)");
        Assert.That(new SipOptionsValidator(Config(demo: false)).Validate(null, new SipOptions { WebSocket = { Enabled = true, AllowPlain = true } }).Succeeded, Is.True);
        Assert.That(new SipOptionsValidator(Config(demo: false)).Validate(null, new SipOptions()).Succeeded, Is.True, "off by default");
    }

    [TestCase("sip")]
    [TestCase("/sip?x=1")]
    [TestCase("/s ip")]
    public void A_bad_path_is_refused_naming_the_key(string path)
    {
        var result = new SipOptionsValidator(Config(demo: true)).Validate(null, new SipOptions { WebSocket = { Enabled = true, Path = path } });
        Assert.That(result.FailureMessage, Does.Contain("Sip:WebSocket:Path"));
    }

    [Test]
    public void A_port_out_of_range_is_refused_naming_the_key()
    {
        var result = new SipOptionsValidator(Config(demo: true)).Validate(null, new SipOptions { WebSocket = { Enabled = true, Port = 70000 } });
        Assert.That(result.FailureMessage, Does.Contain("Sip:WebSocket:Port"));
    }
}
