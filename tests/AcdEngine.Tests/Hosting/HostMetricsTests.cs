using Hotline.Hosting;
using Hotline.TestSupport;
using Microsoft.AspNetCore.Http;

namespace Hotline.AcdEngine.Tests.Hosting;

/// <summary>
/// Who may scrape <c>/metrics</c> (src/Shared/HostMetrics.cs, compiled into both programs): the configured bearer only;
/// nobody when none is configured; anyone only in demo mode without one.
/// </summary>
[TestFixture]
public sealed class HostMetricsTests
{
    private static readonly byte[] Expected = Convert.FromHexString(TestCredentials.Sha256Hex("scrape-token-0123456789"));

    private static HttpContext Request(string? authorization)
    {
        var context = new DefaultHttpContext();
        if (authorization is not null) context.Request.Headers.Authorization = authorization;
        return context;
    }

    [TestCase("Bearer scrape-token-0123456789", true)]
    [TestCase("bearer scrape-token-0123456789", true)]
    [TestCase("Bearer scrape-token-012345678", false)]
    [TestCase("Basic c2NyYXBlOnRva2Vu", false)]
    [TestCase("Bearer ", false)]
    [TestCase(null, false)]
    public void Only_the_configured_bearer_may_scrape_even_in_demo_mode(string? authorization, bool allowed)
    {
        Assert.Multiple(() =>
        {
            Assert.That(HostMetrics.Authorised(Request(authorization), Expected, demo: false), Is.EqualTo(allowed));
            Assert.That(HostMetrics.Authorised(Request(authorization), Expected, demo: true), Is.EqualTo(allowed));
        });
    }

    [Test]
    public void Without_a_configured_bearer_nobody_may_scrape_except_in_demo_mode()
    {
        Assert.Multiple(() =>
        {
            Assert.That(HostMetrics.Authorised(Request("Bearer anything"), expected: null, demo: false), Is.False);
            Assert.That(HostMetrics.Authorised(Request(null), expected: null, demo: false), Is.False);
            Assert.That(HostMetrics.Authorised(Request(null), expected: null, demo: true), Is.True);
        });
    }

    [TestCase("", true)]
    [TestCase("ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789", true)]
    [TestCase("abc", false)]
    [TestCase("zz" + "CDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789", false)]
    public void BearerSha256_must_be_64_hex_digits_or_empty(string value, bool valid) =>
        Assert.That(MetricsOptions.Validate(new MetricsOptions { BearerSha256 = value }).Succeeded, Is.EqualTo(valid));
}
