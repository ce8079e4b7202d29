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
        Assert.That(new SipOptionsValidator(Config(demo: false)).Validate(null, new SipOptions { WebSocket = { Enabled = true, AllowPlain = true, AllowedOrigins = ["https://desk.example.org"] } }).Succeeded, Is.True);
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

    [Test]
    public void Outside_demo_mode_the_pages_origins_must_be_listed()
    {
        var result = new SipOptionsValidator(Config(demo: false)).Validate(null, new SipOptions { WebSocket = { Enabled = true, AllowPlain = true } });
        Assert.That(result.FailureMessage, Does.Contain("Sip:WebSocket:AllowedOrigins"));
        Assert.That(new SipOptionsValidator(Config(demo: true)).Validate(null, new SipOptions { WebSocket = { Enabled = true } }).Succeeded, Is.True,
            "demo mode: any page (logged)");
    }

    [TestCase("desk.example.org")]
    [TestCase("https://desk.example.org/desk")]
    [TestCase("https://user@desk.example.org")]
    [TestCase("https://desk.example.org?x=1")]
    [TestCase("ftp://desk.example.org")]
    public void An_entry_that_is_no_origin_is_refused_naming_its_key(string entry)
    {
        var result = new SipOptionsValidator(Config(demo: false)).Validate(null,
            new SipOptions { WebSocket = { Enabled = true, AllowPlain = true, AllowedOrigins = ["*", entry] } });
        Assert.That(result.FailureMessage, Does.Contain("Sip:WebSocket:AllowedOrigins:1"));
    }

    [TestCase("https://Desk.Example.org/", "https://desk.example.org")]
    [TestCase("https://desk.example.org:443", "https://desk.example.org")]
    [TestCase("http://127.0.0.1:8080", "http://127.0.0.1:8080")]
    [TestCase("*", "*")]
    public void Origins_are_compared_as_browsers_serialise_them(string entry, string serialised) =>
        Assert.That(SipWebSocketSettings.Serialise(entry), Is.EqualTo(serialised));
}
