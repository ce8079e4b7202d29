using System.Text;
using Hotline.Cti.Sip.Messages;

namespace Hotline.Cti.Tests.Sip.Messages;

/// <summary>The span parser on valid, tortuous (RFC 4475 §3.1.1) and invalid (§3.1.2) messages.</summary>
[TestFixture]
public sealed class SipParserTests
{
    private static SipParseResult Parse(string text) => SipParser.Parse(Encoding.UTF8.GetBytes(text.Replace("\n", "\r\n", StringComparison.Ordinal)));

    private const string Invite = """
        INVITE sip:1001@example.com SIP/2.0
        Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds;rport
        Max-Forwards: 70
        To: Bob <sip:1001@example.com>
        From: "Alice \"A\"" <sip:alice@example.com>;tag=1928301774
        Call-ID: a84b4c76e66710@pc33.example.com
        CSeq: 314159 INVITE
        Contact: <sip:alice@10.0.0.1>
        X-Custom:   kept  as is
        Content-Type: application/sdp
        Content-Length: 4

        v=0

        """;

    [Test]
    public void Parses_a_plain_invite()
    {
        var r = Parse(Invite);
        Assert.That(r.Error, Is.EqualTo(SipParseError.None));
        var m = r.Message!;
        Assert.Multiple(() =>
        {
            Assert.That(m.Method, Is.EqualTo("INVITE"));
            Assert.That(m.RequestUri!.User, Is.EqualTo("1001"));
            Assert.That(m.CSeq, Is.EqualTo(new SipCSeq(314159, "INVITE")));
            Assert.That(m.CallId, Is.EqualTo("a84b4c76e66710@pc33.example.com"));
            Assert.That(m.From!.DisplayName, Is.EqualTo("Alice \"A\""));
            Assert.That(m.FromTag, Is.EqualTo("1928301774"));
            Assert.That(m.TopVia!.Branch, Is.EqualTo("z9hG4bK776asdhds"));
            Assert.That(m.TopVia.HasRport, Is.True);
            Assert.That(m.GetHeader("x-custom"), Is.EqualTo("kept  as is"));
            Assert.That(m.BodyText, Is.EqualTo("v=0\r"), "Content-Length cuts the body");
        });
    }

    [Test]
    public void Compact_forms_folding_case_and_multi_valued_headers_are_understood()
    {
        var r = Parse("""
            OPTIONS sip:x@example.com SIP/2.0
            v: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com:5070;branch=z9hG4bK2
            VIA: SIP / 2.0 / UDP c.example.com;branch=z9hG4bK3
            f: <sip:a@example.com>;tag=x
            t: <sip:x@example.com>
            i: abc@host
            cSeQ: 2
             OPTIONS
            l: 0


            """);
        Assert.That(r.Error, Is.EqualTo(SipParseError.None));
        var m = r.Message!;
        Assert.Multiple(() =>
        {
            Assert.That(m.GetValues(SipHeaderId.Via), Has.Count.EqualTo(3));
            Assert.That(m.TopVia!.Host, Is.EqualTo("a.example.com"));
            Assert.That(m.CSeq.Method, Is.EqualTo("OPTIONS"));
            Assert.That(m.CallId, Is.EqualTo("abc@host"));
        });
    }

    [Test]
    public void Escaped_user_and_ipv6_references_parse()
    {
        var r = Parse("""
            INVITE sip:sips%3Auser%40example.com@[2001:db8::10]:5070;transport=tcp SIP/2.0
            Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111
            From: <sip:a@[2001:db8::9:1]>;tag=1
            To: <sip:b@example.com>
            Call-ID: v6@host
            CSeq: 1 INVITE
            Content-Length: 0


            """);
        Assert.That(r.Error, Is.EqualTo(SipParseError.None));
        var uri = r.Message!.RequestUri!;
        Assert.Multiple(() =>
        {
            Assert.That(uri.User, Is.EqualTo("sips:user@example.com"));
            Assert.That(uri.Host, Is.EqualTo("2001:db8::10"));
            Assert.That(uri.Port, Is.EqualTo(5070));
            Assert.That(uri.Transport, Is.EqualTo("tcp"));
            Assert.That(r.Message.TopVia!.SentBy, Is.EqualTo("[2001:db8::9:1]:5060"));
            Assert.That(uri.ToString(), Is.EqualTo("sip:sips%3Auser%40example.com@[2001:db8::10]:5070;transport=tcp"));
        });
    }

    [Test]
    public void Serializer_round_trips_and_keeps_unknown_headers()
    {
        var m = Parse(Invite).Message!;
        var again = SipParser.Parse(SipSerializer.ToArray(m));
        Assert.That(again.Error, Is.EqualTo(SipParseError.None));
        Assert.Multiple(() =>
        {
            Assert.That(again.Message!.GetHeader("X-Custom"), Is.EqualTo("kept  as is"));
            Assert.That(again.Message.Body.ToArray(), Is.EqualTo(m.Body.ToArray()));
            Assert.That(again.Message.Headers, Has.Count.EqualTo(m.Headers.Count));
        });
    }

    private const string Valid = """
        OPTIONS sip:x@example.com SIP/2.0
        Via: SIP/2.0/UDP host.example.com;branch=z9hG4bK1
        From: <sip:a@example.com>;tag=x
        To: <sip:x@example.com>
        Call-ID: abc@host
        CSeq: 1 OPTIONS
        Content-Length: 0


        """;

    // RFC 4475 §3.1.2 style invalid messages: each must map to its reason (400, or 505 for the version).
    [TestCase("Call-ID: abc@host\n", "Call-ID: other@host\nCall-ID: abc@host\n", SipParseError.DuplicateHeader, TestName = "Two Call-IDs")]
    [TestCase("Call-ID: abc@host\n", "", SipParseError.MissingRequiredHeader, TestName = "No Call-ID")]
    [TestCase("CSeq: 1 OPTIONS", "CSeq: 1 INVITE", SipParseError.CSeqMethodMismatch, TestName = "CSeq method mismatch")]
    [TestCase("CSeq: 1 OPTIONS", "CSeq: 99999999999 OPTIONS", SipParseError.MalformedCSeq, TestName = "CSeq too large")]
    [TestCase("SIP/2.0\nVia", "SIP/7.0\nVia", SipParseError.UnsupportedVersion, TestName = "SIP version 7 is 505")]
    [TestCase("OPTIONS sip:x@example.com SIP", "OPTIONS  sip:x@example.com SIP", SipParseError.MalformedStartLine, TestName = "Extra space in request line")]
    [TestCase("Content-Length: 0", "Content-Length: 50", SipParseError.BodyShorterThanContentLength, TestName = "Content-Length past the end")]
    [TestCase("Content-Length: 0", "Content-Length: -1", SipParseError.MalformedContentLength, TestName = "Negative Content-Length")]
    [TestCase("From: <sip:a@example.com>;tag=x", "From: \"unterminated <sip:a@example.com>;tag=x", SipParseError.MalformedFromTo, TestName = "Unbalanced quotes in From")]
    [TestCase("Via: SIP/2.0/UDP host.example.com;branch=z9hG4bK1", "Via: SIP/2.0/UDP ;branch=z9hG4bK1", SipParseError.MalformedVia, TestName = "Via without host")]
    [TestCase("To: <sip:x@example.com>", "To <sip:x@example.com>", SipParseError.MalformedHeaderLine, TestName = "Header line without colon")]
    [TestCase("OPTIONS sip:x@example.com", "OPTIONS sip:x@exa mple.com", SipParseError.MalformedStartLine, TestName = "Space inside Request-URI")]
    public void Invalid_messages_are_rejected_with_a_reason(string find, string replace, SipParseError expected)
    {
        var r = Parse(Valid.Replace(find.Replace("\n", "\r\n", StringComparison.Ordinal), replace.Replace("\n", "\r\n", StringComparison.Ordinal), StringComparison.Ordinal)
            .Replace(find, replace, StringComparison.Ordinal));
        Assert.That(r.Error, Is.EqualTo(expected), r.Error.ReasonPhrase());
        Assert.That(expected.StatusCode(), Is.EqualTo(expected == SipParseError.UnsupportedVersion ? 505 : 400));
    }

    [Test]
    public void Limits_on_size_and_header_count_hold()
    {
        var many = Valid.Replace("Content-Length: 0", string.Concat(Enumerable.Repeat("X-H: 1\n", 200)) + "Content-Length: 0", StringComparison.Ordinal);
        Assert.That(Parse(many).Error, Is.EqualTo(SipParseError.TooManyHeaders));
        var huge = SipParser.Parse(Encoding.ASCII.GetBytes(Valid.Replace("\n", "\r\n", StringComparison.Ordinal) + new string('x', 70_000)));
        Assert.That(huge.Error, Is.EqualTo(SipParseError.TooLarge));
    }

    [Test]
    public void Random_mutations_never_throw()
    {
        var bytes = Encoding.ASCII.GetBytes(Invite.Replace("\n", "\r\n", StringComparison.Ordinal));
        var random = new Random(4475);
        var seen = new HashSet<SipParseError>();
        for (var i = 0; i < 20_000; i++)
        {
            var copy = (byte[])bytes.Clone();
            for (var k = random.Next(1, 6); k > 0; k--) copy[random.Next(copy.Length)] = (byte)random.Next(256);
            var cut = copy.AsSpan(0, random.Next(copy.Length + 1));
            var r = SipParser.Parse(cut);
            seen.Add(r.Error);
            if (r.Success)
            {
                // A message that parsed must serialize and parse again.
                Assert.That(SipParser.Parse(SipSerializer.ToArray(r.Message!)).Error, Is.EqualTo(SipParseError.None));
            }
        }
        Assert.That(seen, Has.Count.GreaterThan(3), "mutations reached several rejection reasons");
    }

    [Test]
    public void Leading_crlf_keepalives_are_skipped_and_empty_input_is_empty()
    {
        Assert.That(SipParser.Parse("\r\n\r\n"u8).Error, Is.EqualTo(SipParseError.Empty));
        Assert.That(Parse("\n\n" + Valid).Error, Is.EqualTo(SipParseError.None));
    }
}
