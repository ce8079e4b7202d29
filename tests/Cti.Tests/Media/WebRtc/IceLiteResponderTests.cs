using System.Buffers.Binary;
using System.Net;
using System.Text;
using Hotline.Cti.Media.WebRtc;

namespace Hotline.Cti.Tests.Media.WebRtc;

/// <summary>RFC 8445 §7.3 as an ICE-lite agent: which Binding requests are answered, refused, or ignored.</summary>
[TestFixture]
public sealed class IceLiteResponderTests
{
    private static readonly IceCredentials Ours = new("evtj", StunTestVectorTests.Password);
    private static readonly IPEndPoint Browser = IPEndPoint.Parse("192.0.2.1:32853");

    /// <summary>A full agent's check as Chromium sends it: USERNAME, ICE-CONTROLLING, PRIORITY, [USE-CANDIDATE], MI, FINGERPRINT.</summary>
    internal static byte[] Check(string username, string password, bool useCandidate = false, bool controlled = false, bool integrity = true)
    {
        var b = new byte[StunMessage.MaxLength];
        BinaryPrimitives.WriteUInt16BigEndian(b, StunMessage.BindingRequest);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), StunMessage.MagicCookie);
        for (var i = 0; i < 12; i++) b[8 + i] = (byte)(i * 7 + 1);
        var pos = 20;
        void Attr(ushort type, ReadOnlySpan<byte> value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(pos), type);
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(pos + 2), (ushort)value.Length);
            value.CopyTo(b.AsSpan(pos + 4));
            pos += 4 + ((value.Length + 3) & ~3);
        }
        Attr(StunMessage.AttrUsername, Encoding.UTF8.GetBytes(username));
        Attr(controlled ? StunMessage.AttrIceControlled : StunMessage.AttrIceControlling, new byte[8] { 1, 2, 3, 4, 5, 6, 7, 8 });
        Attr(StunMessage.AttrPriority, new byte[] { 0x6e, 0, 1, 0xff });
        if (useCandidate) Attr(StunMessage.AttrUseCandidate, ReadOnlySpan<byte>.Empty);
        if (integrity)
        {
            var at = pos;
            Attr(StunMessage.AttrMessageIntegrity, new byte[20]);
            StunMessage.ComputeIntegrity(b, at, Encoding.UTF8.GetBytes(password), b.AsSpan(at + 4, 20));
        }
        var fp = pos;
        Attr(StunMessage.AttrFingerprint, new byte[4]);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), (ushort)(pos - 20));
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(fp + 4), StunMessage.ComputeFingerprint(b, fp));
        return b[..pos];
    }

    private static (IceCheckOutcome Outcome, byte[] Response, IceLiteResponder Responder) Handle(byte[] request)
    {
        var responder = new IceLiteResponder(Ours, "h6vY");
        var buffer = new byte[StunMessage.MaxLength];
        var outcome = responder.Handle(request, Browser, buffer, out var n);
        return (outcome, buffer[..n], responder);
    }

    private static int ErrorCode(byte[] response)
    {
        Assert.That(StunMessage.TryParse(response, out var m), Is.True);
        Assert.That(m.Type, Is.EqualTo(StunMessage.BindingError));
        var pos = 20;
        while (BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(pos)) != StunMessage.AttrErrorCode)
            pos += 4 + ((BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(pos + 2)) + 3) & ~3);
        return response[pos + 6] * 100 + response[pos + 7];
    }

    [Test]
    public void A_right_check_is_answered_with_the_source_and_our_integrity()
    {
        var (outcome, response, responder) = Handle(Check("evtj:h6vY", StunTestVectorTests.Password));
        Assert.That(outcome, Is.EqualTo(IceCheckOutcome.Answered));
        Assert.That(StunMessage.TryParse(response, out var m), Is.True);
        // (sequential: a ref struct view cannot be captured by Assert.Multiple)
        {
            Assert.That(m.Type, Is.EqualTo(StunMessage.BindingSuccess));
            Assert.That(m.TransactionId.ToArray(), Is.EqualTo(Check("evtj:h6vY", StunTestVectorTests.Password)[8..20]));
            Assert.That(m.XorMappedAddress(), Is.EqualTo(Browser));
            Assert.That(m.IntegrityMatches(Encoding.UTF8.GetBytes(StunTestVectorTests.Password)), Is.True, "keyed with our ice-pwd (RFC 8445 §7.3.1.4)");
            Assert.That(m.FingerprintMatches(), Is.True);
            Assert.That(responder.Selected, Is.Null, "not nominated yet");
        }
    }

    [Test]
    public void Use_candidate_selects_the_source_as_the_media_destination()
    {
        var (outcome, _, responder) = Handle(Check("evtj:h6vY", StunTestVectorTests.Password, useCandidate: true));
        Assert.That(outcome, Is.EqualTo(IceCheckOutcome.Nominated));
        Assert.That(responder.Selected, Is.EqualTo(Browser));
    }

    [Test]
    public void A_wrong_password_gets_401_without_integrity()
    {
        var (outcome, response, responder) = Handle(Check("evtj:h6vY", "VOkJxbRl1RmTxUk/WvJxBr", useCandidate: true));
        Assert.That(outcome, Is.EqualTo(IceCheckOutcome.Refused));
        Assert.That(ErrorCode(response), Is.EqualTo(401));
        StunMessage.TryParse(response, out var m);
        // (sequential: a ref struct view cannot be captured by Assert.Multiple)
        {
            Assert.That(m.IntegrityOffset, Is.EqualTo(-1), "RFC 8489 §9.1.3: no MESSAGE-INTEGRITY on a 401");
            Assert.That(m.FingerprintMatches(), Is.True);
            Assert.That(responder.Selected, Is.Null, "an unauthenticated check selects nothing");
        }
    }

    [Test]
    public void Someone_elses_username_gets_401()
    {
        var (_, response, _) = Handle(Check("evtj:other", StunTestVectorTests.Password));
        Assert.That(ErrorCode(response), Is.EqualTo(401));
    }

    [Test]
    public void A_check_without_integrity_gets_400()
    {
        var (_, response, _) = Handle(Check("evtj:h6vY", StunTestVectorTests.Password, integrity: false));
        Assert.That(ErrorCode(response), Is.EqualTo(400));
    }

    [Test]
    public void A_second_controlled_agent_gets_487()
    {
        var (_, response, _) = Handle(Check("evtj:h6vY", StunTestVectorTests.Password, controlled: true));
        Assert.That(ErrorCode(response), Is.EqualTo(487));
    }

    [Test]
    public void A_bad_fingerprint_is_ignored_silently()
    {
        var request = Check("evtj:h6vY", StunTestVectorTests.Password);
        request[^1] ^= 0xFF;
        var (outcome, response, _) = Handle(request);
        Assert.That(outcome, Is.EqualTo(IceCheckOutcome.Ignored));
        Assert.That(response, Is.Empty);
    }

    [Test]
    public void Generated_credentials_are_valid_ice_chars_and_long_enough()
    {
        var c = IceCredentials.Generate();
        Assert.That(IceCredentials.IsValid(c.Ufrag, c.Pwd), Is.True);
        Assert.That(IceCredentials.Generate().Pwd, Is.Not.EqualTo(c.Pwd));
    }
}
