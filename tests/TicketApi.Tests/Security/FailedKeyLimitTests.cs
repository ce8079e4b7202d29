using System.Net;
using Hotline.TicketApi.Security;

namespace Hotline.TicketApi.Tests.Security;

[TestFixture]
public sealed class FailedKeyLimitTests
{
    private sealed class ManualTime : TimeProvider
    {
        public long Ticks;
        public override long GetTimestamp() => Ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public void Advance(TimeSpan by) => Ticks += by.Ticks;
    }

    private static readonly IPAddress Eve = IPAddress.Parse("192.0.2.7");
    private static readonly IPAddress Bob = IPAddress.Parse("192.0.2.8");

    [Test]
    public void A_burst_of_wrong_keys_is_allowed_then_the_source_waits_for_the_refill()
    {
        var time = new ManualTime();
        var limit = new FailedKeyLimit(time);
        for (var i = 0; i < FailedKeyLimit.Burst - 1; i++) Assert.That(limit.RecordFailure(Eve), Is.False, $"mistake {i + 1}");
        Assert.That(limit.RecordFailure(Eve), Is.True, "the last token");
        Assert.Multiple(() =>
        {
            Assert.That(limit.Allows(Eve, out var wait), Is.False);
            Assert.That(wait, Is.EqualTo(FailedKeyLimit.Refill));
            Assert.That(limit.Allows(Bob, out _), Is.True, "per source address");
        });
        time.Advance(FailedKeyLimit.Refill);
        Assert.That(limit.Allows(Eve, out _), Is.True, "one more guess after the refill");
        limit.RecordFailure(Eve);
        Assert.That(limit.Allows(Eve, out _), Is.False);
    }
}
