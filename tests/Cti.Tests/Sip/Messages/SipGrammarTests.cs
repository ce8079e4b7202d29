using System.Text;
using Hotline.Cti.Sip.Messages;

namespace Hotline.Cti.Tests.Sip.Messages;

/// <summary>
/// The character classes of RFC 3261 §25.1 (table and vectorized since issue 22) say exactly what the grammar says,
/// for every octet.
/// </summary>
[TestFixture]
public sealed class SipGrammarTests
{
    // §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
    private static bool GrammarToken(int c) =>
        c < 128 && (char.IsAsciiLetterOrDigit((char)c) || c is '-' or '.' or '!' or '%' or '*' or '_' or '+' or '`' or '\'' or '~');

    [Test]
    public void Token_characters_are_exactly_the_grammars_for_every_octet_and_beyond()
    {
        for (var c = -1; c < 70_000; c++)
            Assert.That(SipGrammar.IsTokenChar(c), Is.EqualTo(c >= 0 && GrammarToken(c)), $"character {c}");
    }

    [Test]
    public void A_token_is_a_non_empty_run_of_token_characters()
    {
        for (var c = 0; c < 256; c++)
        {
            var bytes = new byte[] { (byte)'a', (byte)c, (byte)'z' };
            Assert.That(SipGrammar.IsToken(bytes), Is.EqualTo(GrammarToken(c)), $"octet {c} inside a name");
            Assert.That(SipGrammar.IsToken("a" + (char)c + "z"), Is.EqualTo(GrammarToken(c)), $"char {c} inside a name");
        }
        Assert.That(SipGrammar.IsToken(ReadOnlySpan<byte>.Empty), Is.False);
        Assert.That(SipGrammar.IsToken(ReadOnlySpan<char>.Empty), Is.False);
        Assert.That(SipGrammar.IsToken("Call-ID"u8), Is.True);
        Assert.That(SipGrammar.IsToken("a-much-longer-header-name-than-one-vector-holds.x!%*_+`'~"u8), Is.True);
        Assert.That(SipGrammar.IsToken("a-much-longer-header-name-than-one-vector-holds x"u8), Is.False);
    }

    [Test]
    public void Bare_controls_are_found_anywhere_except_htab_and_quoted_pairs()
    {
        for (var c = 0; c < 128; c++)
        {
            var value = Encoding.Latin1.GetBytes("sip:a@b;x=" + new string('y', 40) + (char)c + "z");
            var bare = (c < 0x20 && c != '\t') || c == 0x7F;
            Assert.That(SipGrammar.HasBareControl(value), Is.EqualTo(bare), $"octet {c}");
        }
        Assert.That(SipGrammar.HasBareControl("\"a\\\u0001b\" <sip:a@b>"u8), Is.False, "a quoted-pair may carry a control");
        Assert.That(SipGrammar.HasBareControl("\"a\\\rb\" <sip:a@b>"u8), Is.True, "but not CR or LF");
        Assert.That(SipGrammar.HasBareControl("\"a\u0001b\" <sip:a@b>"u8), Is.True, "a bare one inside quotes");
        Assert.That(SipGrammar.HasBareControl(ReadOnlySpan<byte>.Empty), Is.False);
    }
}

/// <summary>Stamping the top Via (RFC 3261 §18.2.1) rewrites only the first via-parm, on a line of its own or in a list.</summary>
[TestFixture]
public sealed class SipTopViaReplaceTests
{
    private static SipMessage Parse(string vias) => SipParser.Parse(Encoding.UTF8.GetBytes(
        "OPTIONS sip:a@b SIP/2.0\r\n" + vias + "From: <sip:c@d>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")).Message!;

    [Test]
    public void A_single_via_on_its_line_is_replaced_and_the_next_lines_kept()
    {
        var m = Parse("Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa;rport\r\nVia: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKb\r\n");
        var via = m.TopVia!;
        via.Parameters["received"] = "192.0.2.7";
        m.ReplaceTopVia(via);
        Assert.That(m.GetValues(SipHeaderId.Via), Is.EqualTo(new[]
        {
            "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa;rport;received=192.0.2.7",
            "SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKb",
        }));
        Assert.That(m.TopVia!.Parameters["received"], Is.EqualTo("192.0.2.7"));
    }

    [Test]
    public void The_first_of_a_list_on_one_line_is_replaced_and_the_rest_kept()
    {
        var m = Parse("Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa, SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKb\r\n");
        var via = m.TopVia!;
        via.Parameters["received"] = "192.0.2.7";
        m.ReplaceTopVia(via);
        Assert.That(m.GetValues(SipHeaderId.Via), Is.EqualTo(new[]
        {
            "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa;received=192.0.2.7",
            "SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKb",
        }));
    }
}
