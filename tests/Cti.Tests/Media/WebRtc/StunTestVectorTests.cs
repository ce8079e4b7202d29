using System.Net;
using System.Text;
using Hotline.Cti.Media.WebRtc;

namespace Hotline.Cti.Tests.Media.WebRtc;

/// <summary>RFC 5769 §2.1-2.3: the published STUN test vectors, checked with our parser, HMAC and CRC.</summary>
[TestFixture]
public sealed class StunTestVectorTests
{
    internal const string Password = "VOkJxbRl1RmTxUk/WvJxBt";

    // RFC 5769 §2.1 Sample request (USERNAME "evtj:h6vY", SOFTWARE, PRIORITY, ICE-CONTROLLED).
    internal static readonly byte[] Request = Convert.FromHexString(
        "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74"
        + "002400046e0001ff80290008932ff9b151263b36000600096576746a3a6836765920202000080014"
        + "9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf");

    // RFC 5769 §2.2 Sample IPv4 response: 192.0.2.1:32853.
    private static readonly byte[] ResponseV4 = Convert.FromHexString(
        "0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220"
        + "002000080001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53f06be7d780280004c07d4c96");

    // RFC 5769 §2.3 Sample IPv6 response: [2001:db8:1234:5678:11:2233:4455:6677]:32853.
    private static readonly byte[] ResponseV6 = Convert.FromHexString(
        "010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220"
        + "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d900080014a382954e4be67bf11784c97c8292c275bfe3ed4180280004c8fb0b4c");

    private static byte[] Key(string password) => Encoding.UTF8.GetBytes(password);

    [Test]
    public void The_sample_request_parses_and_its_integrity_and_fingerprint_verify()
    {
        Assert.That(StunMessage.TryParse(Request, out var m), Is.True);
        // (sequential: a ref struct view cannot be captured by Assert.Multiple)
        {
            Assert.That(m.Type, Is.EqualTo(StunMessage.BindingRequest));
            Assert.That(Encoding.UTF8.GetString(m.Username), Is.EqualTo("evtj:h6vY"));
            Assert.That(m.HasIceControlled, Is.True);
            Assert.That(m.FingerprintMatches(), Is.True);
            Assert.That(m.IntegrityMatches(Key(Password)), Is.True);
            Assert.That(m.IntegrityMatches(Key("VOkJxbRl1RmTxUk/WvJxBr")), Is.False, "one character off");
        }
    }

    [Test]
    public void The_sample_responses_give_their_mapped_addresses()
    {
        Assert.That(StunMessage.TryParse(ResponseV4, out var v4), Is.True);
        // (sequential: a ref struct view cannot be captured by Assert.Multiple)
        {
            Assert.That(v4.FingerprintMatches(), Is.True);
            Assert.That(v4.IntegrityMatches(Key(Password)), Is.True);
            Assert.That(v4.XorMappedAddress(), Is.EqualTo(IPEndPoint.Parse("192.0.2.1:32853")));
        }
        Assert.That(StunMessage.TryParse(ResponseV6, out var v6), Is.True);
        // (sequential: a ref struct view cannot be captured by Assert.Multiple)
        {
            Assert.That(v6.FingerprintMatches(), Is.True);
            Assert.That(v6.IntegrityMatches(Key(Password)), Is.True);
            Assert.That(v6.XorMappedAddress(), Is.EqualTo(IPEndPoint.Parse("[2001:db8:1234:5678:11:2233:4455:6677]:32853")));
        }
    }

    [Test]
    public void A_flipped_bit_breaks_the_fingerprint()
    {
        var copy = (byte[])Request.Clone();
        copy[30] ^= 0x01;
        Assert.That(StunMessage.TryParse(copy, out var m), Is.True);
        Assert.That(m.FingerprintMatches(), Is.False);
    }

    [Test]
    public void Truncated_or_cookie_less_packets_are_not_stun()
    {
        Assert.That(StunMessage.TryParse(Request.AsSpan(0, 60), out _), Is.False);
        var noCookie = (byte[])Request.Clone();
        noCookie[4] = 0;
        Assert.That(StunMessage.TryParse(noCookie, out _), Is.False);
    }

    [TestCase(new byte[] { 0x00 }, MediaPacketKind.Stun)]
    [TestCase(new byte[] { 0x03 }, MediaPacketKind.Stun)]
    [TestCase(new byte[] { 22 }, MediaPacketKind.Dtls)]
    [TestCase(new byte[] { 63 }, MediaPacketKind.Dtls)]
    [TestCase(new byte[] { 0x80 }, MediaPacketKind.Rtp)]
    [TestCase(new byte[] { 191 }, MediaPacketKind.Rtp)]
    [TestCase(new byte[] { 16 }, MediaPacketKind.Other)]
    [TestCase(new byte[] { 64 }, MediaPacketKind.Other)]
    [TestCase(new byte[] { 200 }, MediaPacketKind.Other)]
    public void Rfc7983_demultiplexes_by_the_first_byte(byte[] packet, MediaPacketKind kind) =>
        Assert.That(MediaPacketDemux.Classify(packet), Is.EqualTo(kind));
}
