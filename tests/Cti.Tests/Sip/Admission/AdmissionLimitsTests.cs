using System.Net;
using Hotline.Cti.Sip.Admission;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Cti.Tests.Sip.Admission;

/// <summary>Token buckets and concurrent-call caps per key, in virtual time.</summary>
[TestFixture]
public sealed class AdmissionLimitsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    [Test]
    public void A_bucket_admits_its_burst_then_refuses_until_it_refills_at_its_rate()
    {
        var f = _time.TimestampFrequency;
        var now = _time.GetTimestamp();
        var bucket = new TokenBucket(perSecond: 5, burst: 3, now, f);
        Assert.That(Enumerable.Range(0, 4).Select(_ => bucket.TryTake(now)), Is.EqualTo(new[] { true, true, true, false }));
        Assert.That(bucket.TryTake(now + (f / 10)), Is.False, "0.1 s at 5/s is half a token");
        Assert.That(bucket.TryTake(now + (f / 5)), Is.True, "0.2 s at 5/s is one token");
        Assert.That(bucket.IsFull(now + (10 * f)), Is.True, "refill stops at the burst");
        Assert.That(Enumerable.Range(0, 4).Count(_ => bucket.TryTake(now + (10 * f))), Is.EqualTo(3));
    }

    [Test]
    public void Each_source_has_its_own_bucket_and_refusals_are_counted_and_reported_once_per_interval()
    {
        var limits = new AdmissionLimits<IPAddress>(new AdmissionRule(1, 2, 10), _time);
        var flood = IPAddress.Parse("192.0.2.66");
        var other = IPAddress.Parse("192.0.2.7");
        var outcomes = Enumerable.Range(0, 10).Select(_ => limits.TryAdmit(flood)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(outcomes.Count(o => o == AdmissionRefusal.None), Is.EqualTo(2));
            Assert.That(limits.TryAdmit(other), Is.EqualTo(AdmissionRefusal.None));
            Assert.That(limits.Refused, Is.EqualTo(8));
            Assert.That(limits.ShouldLog(flood, out var refused) && refused == 8, Is.True);
            Assert.That(limits.ShouldLog(flood, out _), Is.False, "one line per interval");
        });
        _time.Advance(TimeSpan.FromSeconds(11));
        limits.TryAdmit(flood);
        Assert.That(limits.ShouldLog(flood, out _), Is.True);
    }

    [Test]
    public void The_concurrent_cap_holds_until_a_call_ends()
    {
        var limits = new AdmissionLimits<string>(new AdmissionRule(100, 100, 2), _time);
        Assert.That(limits.TryOpen("1001", out var a), Is.EqualTo(AdmissionRefusal.None));
        Assert.That(limits.TryOpen("1001", out var b), Is.EqualTo(AdmissionRefusal.None));
        Assert.That(limits.TryOpen("1001", out var c), Is.EqualTo(AdmissionRefusal.TooManyCalls));
        Assert.That(c, Is.Null);
        a!.Dispose();
        a.Dispose(); // Idempotent: a second end does not free a second slot.
        Assert.That(limits.OpenCalls("1001"), Is.EqualTo(1));
        Assert.That(limits.TryOpen("1001", out _), Is.EqualTo(AdmissionRefusal.None));
        b!.Dispose();
    }
}
