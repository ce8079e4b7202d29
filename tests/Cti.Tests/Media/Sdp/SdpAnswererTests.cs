using System.Net;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Sdp;

namespace Hotline.Cti.Tests.Media.Sdp;

public class SdpAnswererTests
{
    private static SdpAnswerer NewAnswerer() => new(IPAddress.Parse("10.0.0.5"), 20000, 42);

    private static string Offer(string mLines, string extra = "", string c = "192.0.2.10") =>
        $"v=0\r\no=alice 2890844526 2890844526 IN IP4 {c}\r\ns=-\r\nc=IN IP4 {c}\r\nt=0 0\r\n{mLines}{extra}";

    [Test]
    public void Picks_the_offerers_first_supported_codec_and_telephone_event()
    {
        var result = NewAnswerer().Answer(Offer(
            "m=audio 49170 RTP/AVP 18 8 0 96\r\na=rtpmap:18 G729/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:96 telephone-event/8000\r\n"));
        Assert.That(result.IsAccepted, Is.True);
        var media = result.Media!;
        Assert.Multiple(() =>
        {
            Assert.That(media.Law, Is.EqualTo(G711Law.Alaw));
            Assert.That(media.PayloadType, Is.EqualTo(8));
            Assert.That(media.TelephoneEventPayloadType, Is.EqualTo(96));
            Assert.That(media.RemoteEndPoint, Is.EqualTo(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 49170)));
            Assert.That(media.LocalDirection, Is.EqualTo(MediaDirection.SendRecv));
            Assert.That(result.AnswerSdp, Does.Contain("m=audio 20000 RTP/AVP 8 96\r\n"));
            Assert.That(result.AnswerSdp, Does.Contain("c=IN IP4 10.0.0.5"));
            Assert.That(result.AnswerSdp, Does.Contain("a=rtpmap:96 telephone-event/8000"));
            Assert.That(result.AnswerSdp, Does.Not.Contain("G729"));
        });
    }

    [Test]
    public void Static_payload_types_without_rtpmap_are_understood()
    {
        var result = NewAnswerer().Answer(Offer("m=audio 4000 RTP/AVP 0\r\n"));
        Assert.That(result.Media!.Law, Is.EqualTo(G711Law.Ulaw));
        Assert.That(result.Media.TelephoneEventPayloadType, Is.Null);
    }

    [Test]
    public void A_video_stream_is_refused_with_port_zero_and_audio_kept()
    {
        var result = NewAnswerer().Answer(Offer("m=video 5000 RTP/AVP 31\r\nm=audio 4000 RTP/AVP 0\r\n"));
        Assert.That(result.AnswerSdp, Does.Contain("m=video 0 RTP/AVP 31\r\n"));
        Assert.That(result.AnswerSdp!.IndexOf("m=video", StringComparison.Ordinal), Is.LessThan(result.AnswerSdp.IndexOf("m=audio", StringComparison.Ordinal)));
    }

    [TestCase("m=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n", "no common codec")]
    [TestCase("m=video 4000 RTP/AVP 31\r\n", "no audio")]
    [TestCase("m=audio 4000 RTP/SAVP 0\r\n", "RTP/SAVP")]
    [TestCase("m=audio 0 RTP/AVP 0\r\n", "no audio")]
    public void Unusable_offers_are_rejected_with_a_reason_for_488(string m, string reason)
    {
        var answerer = NewAnswerer();
        var result = answerer.Answer(Offer(m));
        Assert.That(result.IsAccepted, Is.False);
        Assert.That(result.RejectReason, Does.Contain(reason));
        Assert.That(SdpAnswerResult.RejectStatusCode, Is.EqualTo(488));
    }

    [TestCase("")]
    [TestCase("hello")]
    [TestCase("v=0\r\no=bad\r\n")]
    [TestCase("v=1\r\n")]
    [TestCase("v=0\r\nm=audio notaport RTP/AVP 0\r\n")]
    public void Garbage_is_rejected_without_throwing(string text) =>
        Assert.That(NewAnswerer().Answer(text).IsAccepted, Is.False);

    [TestCase("a=sendonly\r\n", MediaDirection.RecvOnly, "a=recvonly")]
    [TestCase("a=recvonly\r\n", MediaDirection.SendOnly, "a=sendonly")]
    [TestCase("a=inactive\r\n", MediaDirection.Inactive, "a=inactive")]
    [TestCase("", MediaDirection.SendRecv, "a=sendrecv")]
    public void Direction_is_mirrored(string attribute, MediaDirection local, string answerAttribute)
    {
        var result = NewAnswerer().Answer(Offer("m=audio 4000 RTP/AVP 0\r\n", attribute));
        Assert.That(result.Media!.LocalDirection, Is.EqualTo(local));
        Assert.That(result.AnswerSdp, Does.Contain(answerAttribute));
    }

    [Test]
    public void Old_style_hold_with_c_zero_is_hold()
    {
        var result = NewAnswerer().Answer(Offer("m=audio 4000 RTP/AVP 0\r\n", c: "0.0.0.0"));
        Assert.That(result.Media!.IsOnHold, Is.True);
    }

    [Test]
    public void Origin_version_goes_up_only_when_our_sdp_changes()
    {
        var answerer = NewAnswerer();
        static string Version(string sdp) => sdp.Split("\r\n")[1].Split(' ')[2];
        var first = answerer.Answer(Offer("m=audio 4000 RTP/AVP 0\r\n")).AnswerSdp!;
        var same = answerer.Answer(Offer("m=audio 4000 RTP/AVP 0\r\n")).AnswerSdp!;
        var hold = answerer.Answer(Offer("m=audio 4000 RTP/AVP 0\r\n", "a=sendonly\r\n")).AnswerSdp!;
        Assert.That(Version(same), Is.EqualTo(Version(first)));
        Assert.That(ulong.Parse(Version(hold), System.Globalization.CultureInfo.InvariantCulture),
            Is.EqualTo(ulong.Parse(Version(first), System.Globalization.CultureInfo.InvariantCulture) + 1));
    }

    [Test]
    public void Our_offer_lists_pcmu_pcma_and_telephone_event_and_reads_the_answer()
    {
        var answerer = NewAnswerer();
        var offer = answerer.CreateOffer();
        Assert.That(offer, Does.Contain("m=audio 20000 RTP/AVP 0 8 101\r\n"));
        Assert.That(SessionDescription.TryParse(offer, out var parsed, out _), Is.True);
        Assert.That(parsed.Media[0].MapOf(101)!.Encoding, Is.EqualTo("telephone-event"));
        var result = answerer.AcceptAnswer(Offer("m=audio 6000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"));
        Assert.Multiple(() =>
        {
            Assert.That(result.Media!.Law, Is.EqualTo(G711Law.Alaw));
            Assert.That(result.Media.RemoteEndPoint.Port, Is.EqualTo(6000));
            Assert.That(result.AnswerSdp, Is.Null);
            Assert.That(answerer.CreateOffer(), Is.EqualTo(offer), "reading an answer does not change our SDP version");
        });
    }
}
