using System.Text;
using Hotline.Cti.Sip.Transport;

namespace Hotline.Cti.Tests.Sip.Transport;

/// <summary>RFC 6455 §4.2 / RFC 7118 §4.1: the opening handshake the WebSocket transport accepts and refuses.</summary>
[TestFixture]
public sealed class WebSocketUpgradeTests
{
    private static WebSocketUpgrade.Result Evaluate(string request, params string[] origins) =>
        WebSocketUpgrade.Evaluate(Encoding.ASCII.GetBytes(request), "/sip", origins.Length == 0 ? ["https://desk.example"] : origins);

    private static string Request(string path = "/sip", string protocol = "sip", string version = "13", string key = "dGhlIHNhbXBsZSBub25jZQ==",
        string origins = "Origin: https://desk.example\r\n") =>
        $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        + $"Sec-WebSocket-Version: {version}\r\nSec-WebSocket-Protocol: {protocol}\r\n{origins}\r\n";

    [TestCase("Origin: https://evil.example\r\n", TestName = "A page of another origin")]
    [TestCase("Origin: https://desk.example:8443\r\n", TestName = "The desk's host on another port")]
    [TestCase("Origin: http://desk.example\r\n", TestName = "The desk's host over http")]
    [TestCase("Origin: null\r\n", TestName = "An opaque origin (sandboxed frame, file)")]
    [TestCase("Origin: https://desk.example\r\nOrigin: https://evil.example\r\n", TestName = "Two origins")]
    public void A_browser_page_of_an_origin_not_listed_is_refused_403(string origins)
    {
        var r = Evaluate(Request(origins: origins));
        Assert.That(r.Accepted, Is.False);
        Assert.That(r.Response, Does.StartWith("HTTP/1.1 403 "));
    }

    [Test]
    public void The_listed_origin_is_accepted_in_any_letter_case_and_a_client_without_origin_too()
    {
        Assert.That(Evaluate(Request(origins: "origin: HTTPS://Desk.Example\r\n")).Accepted, Is.True);
        // A softphone is no page: no Origin header (RFC 6455 §4.1: only browser clients must send it); SIP digest judges it.
        Assert.That(Evaluate(Request(origins: "")).Accepted, Is.True);
    }

    [Test]
    public void Without_a_listed_origin_no_page_may_connect_and_a_star_lets_any()
    {
        Assert.That(WebSocketUpgrade.Evaluate(Encoding.ASCII.GetBytes(Request()), "/sip", []).Response, Does.StartWith("HTTP/1.1 403 "));
        Assert.That(Evaluate(Request(origins: "Origin: https://anywhere.example\r\n"), "*").Accepted, Is.True);
    }

    [Test]
    public void A_sip_upgrade_is_accepted_with_the_rfc6455_accept_key_and_the_sip_subprotocol()
    {
        var r = Evaluate(Request(protocol: "foo, sip"));
        Assert.That(r.Accepted, Is.True, r.Reason);
        // RFC 6455 §1.3's own example: key dGhlIHNhbXBsZSBub25jZQ== → s3pPLMBiTxaQ9kYGzzhZRbK+xOo=.
        Assert.That(r.Response, Does.StartWith("HTTP/1.1 101 "));
        Assert.That(r.Response, Does.Contain("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
        Assert.That(r.Response, Does.Contain("Sec-WebSocket-Protocol: sip\r\n"));
    }

    [TestCase("/other", "sip", "13", "dGhlIHNhbXBsZSBub25jZQ==", "404")]
    [TestCase("/sip", "chat", "13", "dGhlIHNhbXBsZSBub25jZQ==", "400")]
    [TestCase("/sip", "sip", "8", "dGhlIHNhbXBsZSBub25jZQ==", "426")]
    [TestCase("/sip", "sip", "13", "c2hvcnQ=", "400")]
    public void Other_upgrades_are_refused(string path, string protocol, string version, string key, string status)
    {
        var r = Evaluate(Request(path, protocol, version, key));
        Assert.That(r.Accepted, Is.False);
        Assert.That(r.Response, Does.StartWith("HTTP/1.1 " + status + " "));
    }

    [Test]
    public void A_plain_http_get_or_a_post_is_refused()
    {
        Assert.That(Evaluate("GET /sip HTTP/1.1\r\nHost: x\r\n\r\n").Response, Does.StartWith("HTTP/1.1 426 "));
        Assert.That(Evaluate("POST /sip HTTP/1.1\r\nHost: x\r\n\r\n").Response, Does.StartWith("HTTP/1.1 405 "));
    }
}
