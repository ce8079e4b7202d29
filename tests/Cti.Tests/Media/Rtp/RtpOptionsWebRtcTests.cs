using Hotline.Cti.Media.Rtp;

namespace Hotline.Cti.Tests.Media.Rtp;

/// <summary><c>Rtp:WebRtc:*</c> (browser legs' codecs): defaults that work, bad values named by key.</summary>
public sealed class RtpOptionsWebRtcTests
{
    [Test]
    public void Opus_is_off_by_default_and_the_defaults_are_valid()
    {
        var options = new RtpOptions();
        Assert.Multiple(() =>
        {
            Assert.That(options.WebRtc.Opus, Is.False, "Concentus's CPU per packet: opt-in (docs/webrtc.md \"Opus\")");
            Assert.That(options.Validate(), Is.Empty);
        });
    }

    [TestCase(11, 24000, "Rtp:WebRtc:OpusComplexity")]
    [TestCase(-1, 24000, "Rtp:WebRtc:OpusComplexity")]
    [TestCase(5, 5000, "Rtp:WebRtc:OpusBitrate")]
    [TestCase(5, 128000, "Rtp:WebRtc:OpusBitrate")]
    public void A_bad_opus_setting_is_refused_naming_its_key(int complexity, int bitrate, string key)
    {
        var options = new RtpOptions { WebRtc = { OpusComplexity = complexity, OpusBitrate = bitrate } };
        Assert.That(options.Validate(), Has.One.StartsWith(key));
    }
}
