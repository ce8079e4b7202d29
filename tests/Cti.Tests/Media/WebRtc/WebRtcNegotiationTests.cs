using System.Net;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Sdp;
using Hotline.Cti.Media.WebRtc;
using Hotline.Cti.Media.WebRtc.Dtls;

namespace Hotline.Cti.Tests.Media.WebRtc;

/// <summary>
/// Offer/answer for browser legs (RFC 8829): our offer's shape, Chromium's real answer (captured from
/// BrowserAgentAudioTests) and a Chromium-style offer, and what is refused. The browser itself is in EndToEnd.Tests.
/// </summary>
[TestFixture]
public sealed class WebRtcNegotiationTests
{
    private static readonly DtlsCertificate Certificate = DtlsCertificate.Generate(TimeProvider.System);
    private const string BrowserFingerprint = "8C:D5:FC:D7:49:86:BF:99:4B:0F:FF:83:E4:C4:EC:C2:B5:04:29:89:D5:9A:27:B2:88:00:5A:21:BF:8F:87:EB";

    // Chromium 14x's answer to our offer, as JsSIP sent it (candidates trimmed to two).
    private const string ChromiumAnswer = """
        v=0
        o=- 455888433047158139 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0
        a=msid-semantic: WMS dabeaaf2
        m=audio 33406 UDP/TLS/RTP/SAVPF 0 8 101
        c=IN IP4 127.0.0.1
        a=rtcp:9 IN IP4 0.0.0.0
        a=candidate:506711285 1 udp 2122194687 127.0.0.1 33406 typ host generation 0 network-id 3 network-cost 50
        a=candidate:2953728889 1 udp 2122063615 192.0.2.2 36584 typ host generation 0 network-id 1
        a=ice-ufrag:JzUo
        a=ice-pwd:r04q4y6fpDcPTUEJHn26ULij
        a=ice-options:trickle
        a=fingerprint:sha-256 8C:D5:FC:D7:49:86:BF:99:4B:0F:FF:83:E4:C4:EC:C2:B5:04:29:89:D5:9A:27:B2:88:00:5A:21:BF:8F:87:EB
        a=setup:active
        a=mid:0
        a=sendrecv
        a=msid:dabeaaf2 701428af
        a=rtcp-mux
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:101 telephone-event/8000
        a=ssrc:1997308016 cname:knMdOTuCyUc+DXOL
        """;

    // A browser calling out: Opus first, G.711 later, our DTLS role left to us (actpass), c=0.0.0.0 (trickle).
    private const string ChromiumOffer = """
        v=0
        o=- 1 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0
        a=fingerprint:sha-256 8C:D5:FC:D7:49:86:BF:99:4B:0F:FF:83:E4:C4:EC:C2:B5:04:29:89:D5:9A:27:B2:88:00:5A:21:BF:8F:87:EB
        m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
        c=IN IP4 0.0.0.0
        a=ice-ufrag:Abcd
        a=ice-pwd:r04q4y6fpDcPTUEJHn26ULij
        a=setup:actpass
        a=mid:0
        a=sendrecv
        a=rtcp-mux
        a=rtpmap:111 opus/48000/2
        a=rtpmap:63 red/48000/2
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:13 CN/8000
        a=rtpmap:110 telephone-event/48000
        a=rtpmap:126 telephone-event/8000
        """;

    private static SdpAnswerer Answerer(bool offersWebRtc = false, bool opus = false) =>
        new(IPAddress.Loopback, 40000, 1, webRtc: new WebRtcEndpoint(IceCredentials.Generate(), Certificate, 0x11223344), offersWebRtc: offersWebRtc, opus: opus);

    // Chromium's answer to our Opus offer: it keeps our order and picks Opus and its 48 kHz telephone-event.
    private static readonly string ChromiumOpusAnswer = ChromiumAnswer
        .Replace("m=audio 33406 UDP/TLS/RTP/SAVPF 0 8 101", "m=audio 33406 UDP/TLS/RTP/SAVPF 111 0 8 110 101", StringComparison.Ordinal)
        .Replace("a=rtpmap:0 PCMU/8000", "a=rtpmap:111 opus/48000/2\na=fmtp:111 minptime=10;useinbandfec=1\na=rtpmap:0 PCMU/8000", StringComparison.Ordinal)
        .Replace("a=rtpmap:101 telephone-event/8000", "a=rtpmap:110 telephone-event/48000\na=rtpmap:101 telephone-event/8000", StringComparison.Ordinal);

    [Test]
    public void With_opus_our_offer_to_a_browser_puts_opus_48000_2_first_with_its_48k_telephone_event_and_keeps_g711()
    {
        var lines = Answerer(offersWebRtc: true, opus: true).CreateOffer().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.SupersetOf(new[]
        {
            "m=audio 40000 UDP/TLS/RTP/SAVPF 111 0 8 110 101",
            "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1;maxplaybackrate=8000;sprop-maxcapturerate=8000",
            "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:110 telephone-event/48000", "a=fmtp:110 0-15", "a=rtpmap:101 telephone-event/8000", "a=ptime:20",
        }));
    }

    [Test]
    public void Chromiums_opus_answer_gives_opus_with_a_48k_clock_and_960_per_frame()
    {
        var sdp = Answerer(offersWebRtc: true, opus: true);
        sdp.CreateOffer();
        var result = sdp.AcceptAnswer(ChromiumOpusAnswer);
        Assert.That(result.IsAccepted, Is.True, result.RejectReason);
        var media = result.Media!;
        Assert.Multiple(() =>
        {
            Assert.That(media.IsOpus, Is.True);
            Assert.That(media.PayloadType, Is.EqualTo(111));
            Assert.That(media.TelephoneEventPayloadType, Is.EqualTo(110), "RFC 4733 §2.1: the event clock is the audio's (48 kHz)");
            Assert.That(media.ClockRate, Is.EqualTo(48000));
            Assert.That(media.TimestampPerFrame, Is.EqualTo(960), "RFC 7587 §4.1: 20 ms at 48 kHz");
        });
    }

    [Test]
    public void A_browser_answering_pcmu_to_our_opus_offer_gets_g711_and_8k_events()
    {
        var sdp = Answerer(offersWebRtc: true, opus: true);
        sdp.CreateOffer();
        var media = sdp.AcceptAnswer(ChromiumAnswer).Media!;
        Assert.Multiple(() =>
        {
            Assert.That(media.IsOpus, Is.False);
            Assert.That((media.PayloadType, media.TelephoneEventPayloadType, media.TimestampPerFrame), Is.EqualTo(((byte)0, (byte?)101, 160)));
        });
    }

    [Test]
    public void With_opus_a_browsers_offer_is_answered_with_opus_and_its_48k_telephone_event()
    {
        var result = Answerer(opus: true).Answer(ChromiumOffer);
        Assert.That(result.IsAccepted, Is.True, result.RejectReason);
        var lines = result.AnswerSdp!.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(lines, Is.SupersetOf(new[]
            {
                "m=audio 40000 UDP/TLS/RTP/SAVPF 111 110", "a=rtpmap:111 opus/48000/2",
                "a=fmtp:111 minptime=10;useinbandfec=1;maxplaybackrate=8000;sprop-maxcapturerate=8000",
                "a=rtpmap:110 telephone-event/48000", "a=setup:passive",
            }));
            Assert.That(lines, Has.None.Contains("PCMU"), "one codec in the answer");
            Assert.That(result.Media!.IsOpus, Is.True);
        });
    }

    [Test]
    public void A_browser_offer_with_opus_but_only_8k_events_gets_opus_without_events()
    {
        var offer = ChromiumOffer.Replace(" 110 126", " 126", StringComparison.Ordinal).Replace("a=rtpmap:110 telephone-event/48000\n", "", StringComparison.Ordinal);
        var media = Answerer(opus: true).Answer(offer).Media!;
        Assert.That((media.IsOpus, media.TelephoneEventPayloadType), Is.EqualTo((true, (byte?)null)), "8 kHz events cannot share a 48 kHz stream");
    }

    [Test]
    public void Opus_is_never_chosen_for_plain_rtp_legs_even_when_allowed()
    {
        var sdp = Answerer(opus: true);
        var offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5004 RTP/AVP 111 0\r\n"
            + "a=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n";
        var result = sdp.Answer(offer);
        Assert.That((result.IsAccepted, result.Media!.IsOpus, result.Media.PayloadType), Is.EqualTo((true, false, (byte)0)));
    }

    [Test]
    public void Our_offer_to_a_browser_is_ice_lite_dtls_actpass_with_rtcp_mux_bundle_and_our_ssrc()
    {
        var sdp = Answerer(offersWebRtc: true);
        var lines = sdp.CreateOffer().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.SupersetOf(new[]
        {
            "m=audio 40000 UDP/TLS/RTP/SAVPF 0 8 101", "a=group:BUNDLE 0", "a=ice-lite", "a=mid:0", "a=rtcp-mux", "a=setup:actpass",
            "a=fingerprint:sha-256 " + Certificate.Fingerprint, "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host",
            "a=ice-ufrag:" + sdp.WebRtc!.Ice.Ufrag, "a=ice-pwd:" + sdp.WebRtc.Ice.Pwd, "a=ssrc:287454020 cname:hotline-11223344",
        }));
        Assert.That(lines, Has.None.StartsWith("a=crypto"), "no SDES keys in a DTLS-SRTP offer (RFC 5763 §5)");
    }

    [Test]
    public void Chromiums_answer_is_accepted_with_its_ice_ufrag_and_fingerprint_and_no_address_or_keys_yet()
    {
        var sdp = Answerer(offersWebRtc: true);
        sdp.CreateOffer();
        var result = sdp.AcceptAnswer(ChromiumAnswer);
        Assert.That(result.IsAccepted, Is.True, result.RejectReason);
        var media = result.Media!;
        Assert.Multiple(() =>
        {
            Assert.That(media.WebRtc!.RemoteUfrag, Is.EqualTo("JzUo"));
            Assert.That(media.WebRtc.RemoteFingerprint, Is.EqualTo(BrowserFingerprint));
            Assert.That(media.Law, Is.EqualTo(G711Law.Ulaw));
            Assert.That(media.TelephoneEventPayloadType, Is.EqualTo(101));
            Assert.That(media.LocalDirection, Is.EqualTo(MediaDirection.SendRecv));
            Assert.That(media.Srtp, Is.Null, "keys come from DTLS, later");
        });
    }

    [TestCase("a=setup:active", "a=setup:holdconn", "must be active or passive")]
    [TestCase("a=setup:active\n", "", "must be active or passive")]
    [TestCase("a=rtcp-mux\n", "", "rtcp-mux")]
    [TestCase("a=fingerprint:sha-256", "a=fingerprint:sha-1", "fingerprint")]
    [TestCase("a=ice-pwd:r04q4y6fpDcPTUEJHn26ULij", "a=ice-pwd:short", "ice")]
    [TestCase("UDP/TLS/RTP/SAVPF", "RTP/AVP", "UDP/TLS/RTP/SAVPF")]
    public void An_answer_without_what_webrtc_needs_is_refused(string from, string to, string reason)
    {
        var sdp = Answerer(offersWebRtc: true);
        sdp.CreateOffer();
        var result = sdp.AcceptAnswer(ChromiumAnswer.Replace(from, to, StringComparison.Ordinal));
        Assert.That(result.IsAccepted, Is.False);
        Assert.That(result.RejectReason, Does.Contain(reason));
    }

    [Test]
    public void A_browsers_offer_is_answered_passive_with_pcmu_and_8k_telephone_event_and_c_0000_is_not_hold()
    {
        var result = Answerer().Answer(ChromiumOffer);
        Assert.That(result.IsAccepted, Is.True, result.RejectReason);
        var lines = result.AnswerSdp!.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(lines, Is.SupersetOf(new[] { "m=audio 40000 UDP/TLS/RTP/SAVPF 0 126", "a=setup:passive", "a=mid:0", "a=rtcp-mux", "a=ice-lite", "a=sendrecv" }));
            Assert.That(result.Media!.LocalDirection, Is.EqualTo(MediaDirection.SendRecv), "RFC 8839: c= is not where media goes");
            Assert.That(result.Media.WebRtc!.RemoteFingerprint, Is.EqualTo(BrowserFingerprint), "session-level fingerprint");
        });
    }

    [Test]
    public void Our_offers_actpass_answered_active_makes_us_the_server_and_passive_the_client()
    {
        var server = Answerer(offersWebRtc: true);
        server.CreateOffer();
        Assert.That(server.AcceptAnswer(ChromiumAnswer).Media!.WebRtc!.Role, Is.EqualTo(DtlsRole.Server));
        var client = Answerer(offersWebRtc: true);
        client.CreateOffer();
        var result = client.AcceptAnswer(ChromiumAnswer.Replace("a=setup:active", "a=setup:passive", StringComparison.Ordinal));
        Assert.That(result.IsAccepted, Is.True, result.RejectReason);
        Assert.That(result.Media!.WebRtc!.Role, Is.EqualTo(DtlsRole.Client), "RFC 5763 §5: the passive side waits, we connect");
    }

    [Test]
    public void A_browser_offer_with_setup_passive_is_answered_active_and_the_role_stays_for_re_offers()
    {
        var sdp = Answerer();
        var passive = ChromiumOffer.Replace("a=setup:actpass", "a=setup:passive", StringComparison.Ordinal);
        var result = sdp.Answer(passive);
        Assert.That(result.IsAccepted, Is.True, result.RejectReason);
        Assert.Multiple(() =>
        {
            Assert.That(result.AnswerSdp!.Split("\r\n"), Does.Contain("a=setup:active"));
            Assert.That(result.Media!.WebRtc!.Role, Is.EqualTo(DtlsRole.Client));
        });
        // A hold re-offer (actpass again): we stay active, the association and its keys go on.
        var hold = sdp.Answer(ChromiumOffer.Replace("a=sendrecv", "a=sendonly", StringComparison.Ordinal));
        Assert.That(hold.IsAccepted, Is.True, hold.RejectReason);
        Assert.That(hold.AnswerSdp!.Split("\r\n"), Does.Contain("a=setup:active"));
        Assert.That(hold.Media!.WebRtc!.SameTransportAs(result.Media!.WebRtc), Is.True);
        // A re-offer that makes the browser the client now would need a new DTLS association: refused, nothing changes.
        var swap = sdp.Answer(ChromiumOffer.Replace("a=setup:actpass", "a=setup:active", StringComparison.Ordinal));
        Assert.That(swap.IsAccepted, Is.False);
        Assert.That(swap.RejectReason, Does.Contain("DTLS role"));
    }

    [Test]
    public void A_leg_without_a_webrtc_endpoint_refuses_a_webrtc_offer() =>
        Assert.That(new SdpAnswerer(IPAddress.Loopback, 40000, 1).Answer(ChromiumOffer).RejectReason, Does.Contain("not available"));

    [Test]
    public async Task The_in_memory_warm_up_handshake_completes_with_both_sides_checking_fingerprints()
    {
        var elapsed = await DtlsWarmUp.RunAsync(Certificate, TimeProvider.System);
        TestContext.Out.WriteLine($"in-memory DTLS-SRTP handshake: {elapsed.TotalMilliseconds:F0} ms");
        Assert.That(elapsed, Is.GreaterThan(TimeSpan.Zero));
    }
}
