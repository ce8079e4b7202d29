using Hotline.Cti.Media;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Sources;
using Hotline.Cti.Tests.Media.Support;
using Hotline.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Cti.Tests.Media.Rtp;

/// <summary>
/// Against a real RTP peer without SIP: sipp's <c>-rtp_echo</c> returns every RTP packet to its sender. Our session
/// plays 440 Hz to it on the real media clock; a second session bridged to the first forwards what comes back to a
/// test socket, where 440 Hz must be heard.
/// </summary>
[Category("RealPeer")]
public class SippEchoTests
{
    [Test]
    public async Task A_tone_sent_to_sipps_rtp_echo_comes_back_and_is_forwarded_over_a_bridge()
    {
        Assume.That(File.Exists("/usr/bin/sipp"), "sipp missing: tools/install-peers.sh test");
        var mediaPort = FreePort.Next(4);
        var sipPort = FreePort.Next();
        await using var sipp = PeerProcess.Start("sipp", ["-sn", "uas", "-i", "127.0.0.1", "-p", sipPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-mi", "127.0.0.1", "-mp", mediaPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-rtp_echo", "-nostdin", "-m", "1"]);

        var first = FreePort.Next(8);
        var options = new RtpOptions { PortMin = first, PortMax = first + 7, RealtimeClock = false };
        await using var engine = new MediaEngine(options, TimeProvider.System, NullLoggerFactory.Instance);
        await using var toSipp = engine.CreateSession();
        await using var forward = engine.CreateSession();
        using var listener = new RtpPeer();
        using var sippOffer = new RtpPeer(); // only to write an offer naming sipp's port
        var offer = sippOffer.Offer().Replace($"m=audio {sippOffer.EndPoint.Port} ", $"m=audio {mediaPort} ", StringComparison.Ordinal);
        toSipp.Apply(engine.CreateSdp(toSipp).Answer(offer).Media!);
        forward.Apply(engine.CreateSdp(forward).Answer(listener.Offer()).Media!);
        toSipp.Start();
        forward.Start();
        forward.ListenTo(toSipp);
        _ = toSipp.PlayAsync(ToneSource.Sine(440));

        Eventually.True(() => toSipp.Statistics.PacketsReceived >= 25, "sipp to echo 25 packets");
        var heard = new List<short>();
        for (var i = 0; i < 25; i++)
        {
            var datagram = listener.Receive() ?? throw new AssertionException("the bridge forwarded nothing");
            Assert.That(RtpPacket.TryParse(datagram, out var rtp), Is.True);
            var pcm = new short[rtp.Payload.Length];
            G711.Decode(G711Law.Ulaw, rtp.Payload, pcm);
            heard.AddRange(pcm);
        }
        Assert.Multiple(() =>
        {
            Assert.That(Goertzel.RelativePower(heard.ToArray(), 440), Is.GreaterThan(0.5), "440 Hz came back from sipp");
            Assert.That(toSipp.Statistics.StrayPackets, Is.Zero);
            Assert.That(toSipp.RemoteEndPoint!.Port, Is.EqualTo(mediaPort), "latched to sipp's media port");
        });
    }
}
