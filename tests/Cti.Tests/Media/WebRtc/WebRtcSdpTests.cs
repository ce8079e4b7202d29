using System.Net;
using System.Text;
using Hotline.Cti.Media.WebRtc;

namespace Hotline.Cti.Tests.Media.WebRtc;

[TestFixture]
public sealed class WebRtcSdpTests
{
    [Test]
    public void The_answer_lines_name_ice_lite_bundle_one_host_candidate_and_rtcp_mux()
    {
        var b = new StringBuilder();
        WebRtcSdp.AppendSession(b, "0");
        WebRtcSdp.AppendMedia(b, "0", new IceCredentials("abcd", "0123456789012345678901"), IPEndPoint.Parse("127.0.0.1:40000"), "AB:CD", "passive");
        var lines = b.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.SupersetOf(new[]
        {
            "a=group:BUNDLE 0", "a=ice-lite", "a=mid:0", "a=ice-ufrag:abcd", "a=ice-pwd:0123456789012345678901",
            "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host", "a=rtcp-mux", "a=fingerprint:sha-256 AB:CD", "a=setup:passive",
        }));
    }

    [TestCase("actpass", "passive")]
    [TestCase("active", "passive")]
    [TestCase(null, "passive")]
    [TestCase("passive", "active")]
    [TestCase("holdconn", null)]
    public void The_dtls_role_follows_rfc5763(string? offered, string? answered) =>
        Assert.That(WebRtcSdp.AnswerSetup(offered), Is.EqualTo(answered));

    // A re-offer keeps the leg's role (RFC 5763 §5: a new role would be a new association, which we do not run).
    [TestCase("actpass", DtlsRole.Client, "active")]
    [TestCase("actpass", DtlsRole.Server, "passive")]
    [TestCase("passive", DtlsRole.Client, "active")]
    [TestCase("active", DtlsRole.Server, "passive")]
    [TestCase("active", DtlsRole.Client, null)]
    [TestCase(null, DtlsRole.Client, null)]
    [TestCase("passive", DtlsRole.Server, null)]
    public void A_re_offer_keeps_the_dtls_role(string? offered, DtlsRole established, string? answered)
    {
        Assert.That(WebRtcSdp.AnswerSetup(offered, established), Is.EqualTo(answered));
        if (answered is not null) Assert.That(WebRtcSdp.RoleOf(answered), Is.EqualTo(established));
    }
}
