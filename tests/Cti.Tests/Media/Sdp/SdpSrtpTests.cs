using System.Net;
using Hotline.Cti.Media.Sdp;
using Hotline.Cti.Media.Srtp;

namespace Hotline.Cti.Tests.Media.Sdp;

/// <summary>SDES (RFC 4568) offer/answer under each <see cref="SrtpPolicy"/>.</summary>
public class SdpSrtpTests
{
    private static readonly SrtpMasterKey PeerKey = SrtpMasterKey.Generate();

    private static SdpAnswerer Answerer(SrtpPolicy policy) => new(IPAddress.Parse("10.0.0.5"), 20000, 42, policy);

    private static string Offer(string profile, params string[] crypto) =>
        "v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n" +
        $"m=audio 49170 {profile} 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n" +
        string.Concat(crypto.Select(c => c + "\r\n"));

    private static string Crypto(int tag, string suite, string? key = null, string extra = "") =>
        $"a=crypto:{tag} {suite} inline:{key ?? PeerKey.ToBase64()}{extra}";

    [TestCase(SrtpPolicy.Srtp)]
    [TestCase(SrtpPolicy.Optional)]
    public void A_savp_offer_is_answered_with_the_first_usable_suite_and_our_own_key(SrtpPolicy policy)
    {
        var result = Answerer(policy).Answer(Offer("RTP/SAVP",
            "a=crypto:1 AEAD_AES_256_GCM inline:AAAA", Crypto(2, "AES_CM_128_HMAC_SHA1_32"), Crypto(3, "AES_CM_128_HMAC_SHA1_80")));
        Assert.That(result.IsAccepted, Is.True, result.RejectReason);
        var keying = result.Media!.Srtp!;
        Assert.Multiple(() =>
        {
            Assert.That(keying.Suite, Is.EqualTo(SrtpSuite.AesCm128HmacSha1_32));
            Assert.That(keying.Remote.ToBase64(), Is.EqualTo(PeerKey.ToBase64()));
            Assert.That(keying.Local.ToBase64(), Is.Not.EqualTo(PeerKey.ToBase64()));
            Assert.That(result.AnswerSdp, Does.Contain("m=audio 20000 RTP/SAVP 0 101\r\n"));
            Assert.That(result.AnswerSdp, Does.Contain($"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:{keying.Local.ToBase64()}\r\n"));
            Assert.That(result.AnswerSdp!.Split("a=crypto").Length, Is.EqualTo(2), "exactly one crypto line");
        });
    }

    [Test]
    public void A_plain_offer_gets_488_when_srtp_is_required()
    {
        var result = Answerer(SrtpPolicy.Srtp).Answer(Offer("RTP/AVP"));
        Assert.That(result.IsAccepted, Is.False);
        Assert.That(result.RejectReason, Does.Contain("SRTP is required"));
    }

    [TestCase("AES_CM_128_HMAC_SHA1_80", "", "MKI")]
    [TestCase("AES_CM_128_HMAC_SHA1_80", " UNENCRYPTED_SRTP", "session parameter")]
    [TestCase("F8_128_HMAC_SHA1_80", "", "unknown suite")]
    public void An_offer_whose_only_crypto_we_cannot_use_gets_488(string suite, string sessionParams, string why)
    {
        var key = suite == "AES_CM_128_HMAC_SHA1_80" && why == "MKI" ? PeerKey.ToBase64() + "|2^20|1:4" : null;
        var result = Answerer(SrtpPolicy.Optional).Answer(Offer("RTP/SAVP", Crypto(1, suite, key, sessionParams)));
        Assert.That(result.IsAccepted, Is.False, why);
        Assert.That(result.RejectReason, Does.Contain("no acceptable a=crypto"));
    }

    [Test]
    public void A_key_of_the_wrong_length_is_not_usable()
    {
        var result = Answerer(SrtpPolicy.Srtp).Answer(Offer("RTP/SAVP", Crypto(1, "AES_CM_128_HMAC_SHA1_80", Convert.ToBase64String(new byte[16]))));
        Assert.That(result.IsAccepted, Is.False);
    }

    [Test]
    public void Optional_accepts_plain_and_best_effort_crypto_on_avp()
    {
        var plain = Answerer(SrtpPolicy.Optional).Answer(Offer("RTP/AVP"));
        Assert.That(plain.Media!.Srtp, Is.Null);
        Assert.That(plain.AnswerSdp, Does.Not.Contain("a=crypto"));
        var bestEffort = Answerer(SrtpPolicy.Optional).Answer(Offer("RTP/AVP", Crypto(1, "AES_CM_128_HMAC_SHA1_80")));
        Assert.That(bestEffort.Media!.Srtp, Is.Not.Null);
        Assert.That(bestEffort.AnswerSdp, Does.Contain("m=audio 20000 RTP/AVP 0 101"));
        Assert.That(bestEffort.AnswerSdp, Does.Contain("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"));
    }

    [Test]
    public void Plain_refuses_savp_and_ignores_crypto_on_avp()
    {
        Assert.That(Answerer(SrtpPolicy.Plain).Answer(Offer("RTP/SAVP", Crypto(1, "AES_CM_128_HMAC_SHA1_80"))).IsAccepted, Is.False);
        var avp = Answerer(SrtpPolicy.Plain).Answer(Offer("RTP/AVP", Crypto(1, "AES_CM_128_HMAC_SHA1_80")));
        Assert.That(avp.Media!.Srtp, Is.Null);
        Assert.That(avp.AnswerSdp, Does.Not.Contain("a=crypto"));
    }

    [Test]
    public void Our_srtp_offer_carries_both_suites_and_the_answer_picks_one()
    {
        var answerer = Answerer(SrtpPolicy.Srtp);
        var offer = answerer.CreateOffer();
        Assert.That(offer, Does.Contain("m=audio 20000 RTP/SAVP 0 8 101"));
        Assert.That(offer, Does.Contain("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"));
        Assert.That(offer, Does.Contain("a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:"));
        var answer = answerer.AcceptAnswer(Offer("RTP/SAVP", Crypto(2, "AES_CM_128_HMAC_SHA1_32")));
        Assert.That(answer.IsAccepted, Is.True, answer.RejectReason);
        Assert.That(answer.Media!.Srtp!.Suite, Is.EqualTo(SrtpSuite.AesCm128HmacSha1_32));
        Assert.That(offer, Does.Contain(answer.Media.Srtp.Local.ToBase64()), "keyed with the key we offered");
        Assert.That(answerer.AcceptAnswer(Offer("RTP/AVP")).IsAccepted, Is.False, "a plain answer to a required offer");
        Assert.That(answerer.AcceptAnswer(Offer("RTP/SAVP", Crypto(1, "AES_CM_128_HMAC_SHA1_32"))).IsAccepted, Is.False,
            "tag 1 was offered with the _80 suite");
    }

    [Test]
    public void A_reinvite_keeps_our_key()
    {
        var answerer = Answerer(SrtpPolicy.Srtp);
        var first = answerer.Answer(Offer("RTP/SAVP", Crypto(1, "AES_CM_128_HMAC_SHA1_80"))).Media!.Srtp!;
        var second = answerer.Answer(Offer("RTP/SAVP", Crypto(1, "AES_CM_128_HMAC_SHA1_80"))).Media!.Srtp!;
        Assert.That(second.SameAs(first), Is.True);
        var rekeyed = answerer.Answer(Offer("RTP/SAVP", Crypto(1, "AES_CM_128_HMAC_SHA1_80", SrtpMasterKey.Generate().ToBase64()))).Media!.Srtp!;
        Assert.That(rekeyed.SameAs(first), Is.False);
        Assert.That(ReferenceEquals(rekeyed.Local, first.Local), Is.True);
    }
}
