using Hotline.Cti.Media.Sources;
using Hotline.Cti.Media.WebRtc;
using Hotline.Cti.Media.WebRtc.Dtls;
using Hotline.Cti.Tests.Media.Support;

namespace Hotline.Cti.Tests.Media.WebRtc;

/// <summary>
/// A WebRTC leg's media port before its keys exist (RFC 8826 §4.2, RFC 5764): ICE checks are answered from the media
/// port, but nothing is sent and clear RTP is not accepted until DTLS-SRTP completed. (The whole path with a real
/// browser: EndToEnd.Tests BrowserAgentAudioTests.)
/// </summary>
[TestFixture]
public sealed class WebRtcMediaSessionTests
{
    [Test]
    public async Task Checks_are_answered_but_nothing_is_sent_and_clear_rtp_is_dropped_before_dtls_keys()
    {
        await using var media = new MediaFixture();
        using var browser = new RtpPeer();
        var browserCertificate = DtlsCertificate.Generate(TimeProvider.System);
        var session = media.Engine.CreateSession();
        await using var owned = session;
        var sdp = media.Engine.CreateSdp(session);
        var offer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
            + $"m=audio {browser.EndPoint.Port} UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 127.0.0.1\r\na=ice-ufrag:brow\r\n"
            + $"a=ice-pwd:0123456789012345678901\r\na=fingerprint:sha-256 {browserCertificate.Fingerprint}\r\na=setup:actpass\r\n"
            + "a=mid:0\r\na=rtcp-mux\r\na=sendrecv\r\na=rtpmap:0 PCMU/8000\r\n";
        var answer = sdp.Answer(offer);
        Assert.That(answer.IsAccepted, Is.True, answer.RejectReason);
        session.Apply(answer.Media!);
        session.Start();
        Assert.That(session.IsWebRtc, Is.True);
        _ = session.PlayAsync(ToneSource.Sine(440));
        media.Tick(5);
        Assert.That(browser.Receive(200), Is.Null, "no RTP before ICE and DTLS-SRTP, even to the SDP's address");

        browser.SendAudio(new short[160], session.LocalEndPoint); // clear RTP: never accepted on a DTLS-SRTP leg
        browser.SendRaw(IceLiteResponderTests.Check(sdp.WebRtc!.Ice.Ufrag + ":brow", sdp.WebRtc.Ice.Pwd, useCandidate: true), session.LocalEndPoint);
        var response = browser.Receive() ?? throw new AssertionException("no STUN response from the media port");
        Assert.That(StunMessage.TryParse(response, out var message), Is.True);
        Assert.That(message.Type, Is.EqualTo(StunMessage.BindingSuccess), "the check is answered (RFC 8445 §7.3)");

        // The receive loop takes datagrams in order: the clear RTP was handled before the check was answered.
        media.Tick(5);
        Assert.Multiple(() =>
        {
            Assert.That(session.Statistics.PacketsReceived, Is.Zero, "clear RTP dropped");
            Assert.That(browser.Receive(200), Is.Null, "a nominated pair alone does not release media: keys first");
            Assert.That(session.IsEncrypted, Is.False);
            Assert.That(session.RemoteEndPoint, Is.Null);
        });
    }
}
