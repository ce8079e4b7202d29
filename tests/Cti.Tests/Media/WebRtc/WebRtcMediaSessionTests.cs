using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Sources;
using Hotline.Cti.Media.Srtp;
using Hotline.Cti.Media.WebRtc;
using Hotline.Cti.Media.WebRtc.Dtls;
using Hotline.Cti.Tests.Media.Support;
using Org.BouncyCastle.Tls;

namespace Hotline.Cti.Tests.Media.WebRtc;

/// <summary>
/// A WebRTC leg's media port before its keys exist (RFC 8826 §4.2, RFC 5764): ICE checks are answered from the media
/// port, but nothing is sent and clear RTP is not accepted until DTLS-SRTP completed. (The whole path with a real
/// browser: EndToEnd.Tests BrowserAgentAudioTests.)
/// </summary>
[TestFixture]
public sealed class WebRtcMediaSessionTests
{
    /// <summary>A browser's offer (Chromium's shape) with the given DTLS role, PCMU only.</summary>
    private static string BrowserOffer(int port, string fingerprint, string setup) =>
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
        + $"m=audio {port} UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 127.0.0.1\r\na=ice-ufrag:brow\r\n"
        + $"a=ice-pwd:0123456789012345678901\r\na=fingerprint:sha-256 {fingerprint}\r\na=setup:{setup}\r\n"
        + "a=mid:0\r\na=rtcp-mux\r\na=sendrecv\r\na=rtpmap:0 PCMU/8000\r\n";

    [Test]
    public async Task Checks_are_answered_but_nothing_is_sent_and_clear_rtp_is_dropped_before_dtls_keys()
    {
        await using var media = new MediaFixture();
        using var browser = new RtpPeer();
        var browserCertificate = DtlsCertificate.Generate(TimeProvider.System);
        var session = media.Engine.CreateSession();
        await using var owned = session;
        var sdp = media.Engine.CreateSdp(session);
        var offer = BrowserOffer(browser.EndPoint.Port, browserCertificate.Fingerprint, "actpass");
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

    [Test]
    public async Task A_peer_that_says_setup_passive_gets_our_client_hello_after_its_check_and_srtp_flows_with_the_exported_keys()
    {
        await using var media = new MediaFixture();
        using var browser = new RtpPeer();
        var browserCertificate = DtlsCertificate.Generate(TimeProvider.System);
        var session = media.Engine.CreateSession();
        await using var owned = session;
        var sdp = media.Engine.CreateSdp(session);
        var offer = BrowserOffer(browser.EndPoint.Port, browserCertificate.Fingerprint, "passive");
        var answer = sdp.Answer(offer);
        Assert.That(answer.IsAccepted, Is.True, answer.RejectReason);
        Assert.That(answer.AnswerSdp, Does.Contain("a=setup:active\r\n"), "RFC 5763 §5: to passive we answer active");
        session.Apply(answer.Media!);
        session.Start();
        _ = session.PlayAsync(ToneSource.Sine(440));
        media.Tick(3);
        Assert.That(browser.Receive(300), Is.Null, "the client waits for the peer's consent (its ICE check) before any DTLS");

        browser.SendRaw(IceLiteResponderTests.Check(sdp.WebRtc!.Ice.Ufrag + ":brow", sdp.WebRtc.Ice.Pwd, useCandidate: true), session.LocalEndPoint);
        Assert.That(StunMessage.TryParse(browser.Receive() ?? [], out var response) && response.Type == StunMessage.BindingSuccess, Is.True, "the check is answered");
        var hello = browser.Receive() ?? throw new AssertionException("no DTLS record from the engine after the check");
        Assert.That(hello[0], Is.EqualTo(22), "a DTLS handshake record (RFC 7983: 20-63), the ClientHello");

        // The browser as the DTLS server (BouncyCastle, checking the engine's certificate against our SDP's fingerprint).
        var channel = new DtlsPacketChannel(d => browser.SendRaw(d.ToArray(), session.LocalEndPoint));
        channel.Deliver(hello);
        using var pump = new CancellationTokenSource();
        var pumping = Task.Run(() =>
        {
            while (!pump.IsCancellationRequested)
                if (browser.Receive(100) is { } datagram && datagram[0] is >= 20 and <= 63) channel.Deliver(datagram);
        });
        var server = new DtlsSrtpServer(browserCertificate, sdp.WebRtc.Certificate.Fingerprint);
        var transport = await Task.Run(() => new DtlsServerProtocol().Accept(server, channel)).WaitAsync(TimeSpan.FromSeconds(30));
        Eventually.True(() => session.IsEncrypted, "the engine's DTLS-SRTP keys");
        await pump.CancelAsync();
        await pumping;
        var browserKeys = server.Keying ?? throw new AssertionException("the browser side exported no keys");

        // What the engine sends is SRTP under the client's write key (RFC 5764 §4.2), which the server unprotects.
        using var unprotect = new SrtpContext(browserKeys.Suite, browserKeys.Remote);
        media.Tick(3);
        var srtp = browser.Receive() ?? throw new AssertionException("no SRTP from the engine after the keys");
        while (srtp[0] is < 128 or > 191) srtp = browser.Receive() ?? throw new AssertionException("no SRTP from the engine after the keys");
        Assert.That(unprotect.Unprotect(srtp, out var plain), Is.EqualTo(SrtpUnprotectResult.Ok));
        Assert.That(plain, Is.EqualTo(RtpPacket.HeaderLength + 160));
        transport.Close();
        channel.Close();
    }
}
