using System.Text;
using Hotline.Cti.Sip.Messages;
using Hotline.TestSupport;

namespace Hotline.Cti.Tests.Sip.Conformance;

/// <summary>Every message of RFC 4475 §3 through the parser, judged as the RFC judges it (verdicts.csv).</summary>
[TestFixture]
public sealed class Rfc4475ParserTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        Rfc4475Corpus.All.Select(c => new TestCaseData(c).SetName($"RFC 4475 {c.Section} {c.File}"));

    [TestCaseSource(nameof(Cases))]
    public void Message_gets_the_rfc_verdict(Rfc4475Case c)
    {
        var result = SipParser.Parse(c.Bytes);
        var expected = c.Parser == "Valid" ? SipParseError.None : Enum.Parse<SipParseError>(c.Parser);
        Assert.That(result.Error, Is.EqualTo(expected), result.Error.ReasonPhrase());
        if (result.Success)
        {
            // Whatever was accepted serializes and parses again to the same start line and header count.
            var again = SipParser.Parse(SipSerializer.ToArray(result.Message!));
            Assert.That(again.Error, Is.EqualTo(SipParseError.None));
            Assert.That(again.Message!.StartLine, Is.EqualTo(result.Message!.StartLine));
        }
    }

    [Test]
    public void The_corpus_holds_every_message_of_section_3()
    {
        var files = Directory.GetFiles(Rfc4475Corpus.Folder, "*.dat").Select(Path.GetFileNameWithoutExtension).Order().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(Rfc4475Corpus.All, Has.Count.EqualTo(49), "13 valid, 19 invalid, 1 transaction, 15 application, 1 backward-compatibility");
            Assert.That(Rfc4475Corpus.All.Select(c => c.File).Order(), Is.EqualTo(files));
        });
    }

    private static SipMessage Parse(string file) => SipParser.Parse(Rfc4475Corpus.All.Single(c => c.File == file).Bytes).Message!;

    [Test]
    public void Tortuous_invite_is_read_field_by_field()
    {
        var m = Parse("wsinv");
        Assert.Multiple(() =>
        {
            Assert.That(m.RequestUri!.Parameters.Contains("unknownparam"), Is.True);
            Assert.That(m.ToTag, Is.EqualTo("1918181833n"));
            Assert.That(m.From!.DisplayName, Is.EqualTo("J Rosenberg \\\""));
            Assert.That(m.FromTag, Is.EqualTo("98asjd8"));
            Assert.That(m.CSeq, Is.EqualTo(new SipCSeq(9, "INVITE")));
            Assert.That(m.GetValues(SipHeaderId.Via), Has.Count.EqualTo(3));
            Assert.That(m.TopVia!.Host, Is.EqualTo("192.0.2.2"));
            Assert.That(m.GetHeader("NewFangledHeader"), Is.EqualTo("newfangled value   continued newfangled value"));
            Assert.That(m.GetHeader("Subject"), Is.EqualTo(""));
            Assert.That(m.Body.Length, Is.EqualTo(150));
        });
    }

    [Test]
    public void Unusual_characters_and_escapes_keep_their_meaning()
    {
        var intmeth = Parse("intmeth");
        var esc01 = Parse("esc01");
        var semi = Parse("semiuri");
        Assert.Multiple(() =>
        {
            Assert.That(intmeth.Method, Is.EqualTo("!interesting-Method0123456789_*+`.%indeed'~"));
            Assert.That(intmeth.RequestUri!.User, Is.EqualTo("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"));
            Assert.That(intmeth.RequestUri.Password, Is.EqualTo("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)"));
            Assert.That(intmeth.To!.DisplayName, Is.EqualTo("BEL:\a NUL:\0 DEL:\x7F"));
            Assert.That(intmeth.FromTag, Is.EqualTo("_token~1'+`*%!-."));
            Assert.That(esc01.RequestUri!.User, Is.EqualTo("sips:user@example.com"));
            Assert.That(esc01.To!.Uri.User, Is.EqualTo("user"));
            Assert.That(esc01.From!.Uri.User, Is.EqualTo("I have spaces"));
            Assert.That(semi.RequestUri!.User, Is.EqualTo("user;par=u@example.net"));
            Assert.That(semi.RequestUri.Host, Is.EqualTo("example.com"));
            Assert.That(Parse("escnull").To!.Uri.User, Is.EqualTo("null-\0-null"));
        });
    }

    [Test]
    public void Trailing_octets_of_a_datagram_and_binary_bodies_are_cut_by_content_length()
    {
        var dbl = Parse("dblreq");
        var mpart = Parse("mpart01");
        Assert.Multiple(() =>
        {
            Assert.That(dbl.Method, Is.EqualTo("REGISTER"));
            Assert.That(dbl.Body.IsEmpty, Is.True, "the INVITE after the REGISTER is discarded (§18.3)");
            Assert.That(mpart.Body.Length, Is.EqualTo(553));
            Assert.That(mpart.Body.Span[^22..].SequenceEqual("--7a9cbec02ceef655--\r\n"u8), Is.True);
        });
    }

    [Test]
    public void Unusual_reason_phrases_are_kept()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Parse("unreason").ReasonPhrase, Does.StartWith("= 2**3 * 5**2 но"));
            Assert.That(Parse("noreason").ReasonPhrase, Is.EqualTo(""));
            Assert.That(Parse("noreason").StatusCode, Is.EqualTo(100));
        });
    }

    [Test]
    public void Rfc2543_request_without_branch_or_from_tag_parses()
    {
        var m = Parse("inv2543");
        Assert.Multiple(() =>
        {
            Assert.That(m.TopVia!.Branch, Is.Null);
            Assert.That(m.FromTag, Is.Null);
            Assert.That(m.GetHeader(SipHeaderId.MaxForwards), Is.Null);
        });
    }

    // RFC 3261 §25.1 strictness beyond the corpus: CTLs, and numbers outside their ranges.
    private const string Options = "OPTIONS sip:x@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n" +
        "From: <sip:a@example.com>;tag=x\r\nTo: <sip:x@example.com>\r\nCall-ID: abc@host\r\nCSeq: 1 OPTIONS\r\n";

    [TestCase("Subject: a\u0001b\r\n", SipParseError.MalformedHeaderValue, TestName = "SOH in a header value")]
    [TestCase("Subject: a\u007Fb\r\n", SipParseError.MalformedHeaderValue, TestName = "DEL in a header value")]
    [TestCase("Subject: a\nb\r\n", SipParseError.MalformedHeaderValue, TestName = "Bare LF in a header value")]
    [TestCase("Subject: \"a\u0000b\"\r\n", SipParseError.MalformedHeaderValue, TestName = "NUL unescaped in a quoted string")]
    [TestCase("Subject: \"a\\\u0000b\"\r\n", SipParseError.None, TestName = "NUL as a quoted-pair")]
    [TestCase("Subject: a\tb\r\n", SipParseError.None, TestName = "HTAB is whitespace")]
    [TestCase("Max-Forwards: 256\r\n", SipParseError.MalformedMaxForwards, TestName = "Max-Forwards 256")]
    [TestCase("Max-Forwards: 0255\r\n", SipParseError.None, TestName = "Max-Forwards 0255 (leading zero)")]
    [TestCase("Max-Forwards: 70\r\nMax-Forwards: 69\r\n", SipParseError.DuplicateHeader, TestName = "Two Max-Forwards")]
    [TestCase("Expires: 4294967296\r\n", SipParseError.MalformedExpires, TestName = "Expires 2^32")]
    [TestCase("Expires: 4294967295\r\n", SipParseError.None, TestName = "Expires 2^32-1")]
    [TestCase("Expires: -1\r\n", SipParseError.MalformedExpires, TestName = "Expires negative")]
    [TestCase("Content-Length: 1000000000\r\n", SipParseError.MalformedContentLength, TestName = "Content-Length 10 digits")]
    [TestCase("Contact: <sip:a@b>;expires=60, *\r\n", SipParseError.MalformedContact, TestName = "Contact star among others")]
    public void Header_values_obey_the_grammar(string extra, SipParseError expected)
    {
        var r = SipParser.Parse(Encoding.UTF8.GetBytes(Options + extra + "\r\n"));
        Assert.That(r.Error, Is.EqualTo(expected), r.Error.ReasonPhrase());
    }

    [TestCase("OPTIONS sip:x@exa\u0000mple.com SIP/2.0", TestName = "NUL in the Request-URI")]
    [TestCase("OPTIONS sip:x@example.com SIP/2.0\u000B", TestName = "VT after the version")]
    public void Control_characters_in_the_request_line_are_malformed(string line)
    {
        var r = SipParser.Parse(Encoding.UTF8.GetBytes(line + Options[Options.IndexOf("\r\n", StringComparison.Ordinal)..] + "\r\n"));
        Assert.That(r.Error, Is.EqualTo(SipParseError.MalformedStartLine));
    }

    [TestCase("SIP/2.0 099 Low", TestName = "Status 099")]
    [TestCase("SIP/2.0 700 High", TestName = "Status 700")]
    [TestCase("SIP/2.0 2000 Long", TestName = "Status of four digits")]
    public void Status_codes_outside_100_to_699_are_malformed(string statusLine)
    {
        var r = SipParser.Parse(Encoding.UTF8.GetBytes(statusLine + Options[Options.IndexOf("\r\n", StringComparison.Ordinal)..] + "\r\n"));
        Assert.That(r.Error, Is.EqualTo(SipParseError.MalformedStartLine));
    }
}
