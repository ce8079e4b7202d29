using Hotline.Cti.Sip.Registrar;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Cti.Tests.Sip.Registrar;

/// <summary>
/// Which binding of a user comes first: the one registered last (docs/webrtc.md, "Softphone or browser": the ACD rings
/// the newest binding), not the one that expires last.
/// </summary>
[TestFixture]
public sealed class SipBindingsTests
{
    private const string Softphone = "<sip:1001@10.0.0.5:5062>";
    private const string Browser = "<sip:abc@xyz.invalid;transport=ws>";

    [Test]
    public void A_browser_registering_after_a_softphone_comes_first_even_with_a_shorter_expires()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        var bindings = new SipBindings(time);
        Assert.That(bindings.Update("1001", [(Softphone, 3600)], "soft-1", 1, "UDP:10.0.0.5:5062", "baresip", 10), Is.EqualTo(BindingUpdateError.None));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.That(bindings.Update("1001", [(Browser, 300)], "web-1", 1, "WSS:10.0.0.7:50000", "JsSIP", 10), Is.EqualTo(BindingUpdateError.None));

        Assert.That(bindings.Lookup("1001").Select(b => b.Contact), Is.EqualTo(new[] { Browser, Softphone }));
    }

    [Test]
    public void The_softphones_refresh_takes_the_first_place_back()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        var bindings = new SipBindings(time);
        bindings.Update("1001", [(Softphone, 3600)], "soft-1", 1, "UDP:10.0.0.5:5062", "baresip", 10);
        time.Advance(TimeSpan.FromSeconds(5));
        bindings.Update("1001", [(Browser, 300)], "web-1", 1, "WSS:10.0.0.7:50000", "JsSIP", 10);
        time.Advance(TimeSpan.FromSeconds(5));
        bindings.Update("1001", [(Softphone, 3600)], "soft-1", 2, "UDP:10.0.0.5:5062", "baresip", 10);

        Assert.That(bindings.Lookup("1001").First().Contact, Is.EqualTo(Softphone));
    }

    [Test]
    public void Bindings_restored_from_before_the_registration_time_existed_rank_after_new_ones_by_expiry()
    {
        var now = new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(now);
        var bindings = new SipBindings(time);
        bindings.Restore([new SipBinding("1001", "<sip:1001@10.0.0.8>", now.AddSeconds(100), "old-1", 1, "UDP:10.0.0.8:5060", null),
            new SipBinding("1001", "<sip:1001@10.0.0.9>", now.AddSeconds(900), "old-2", 1, "UDP:10.0.0.9:5060", null)]);
        bindings.Update("1001", [(Browser, 60)], "web-1", 1, "WSS:10.0.0.7:50000", "JsSIP", 10);

        Assert.That(bindings.Lookup("1001").Select(b => b.Contact), Is.EqualTo(new[] { Browser, "<sip:1001@10.0.0.9>", "<sip:1001@10.0.0.8>" }));
    }
}
