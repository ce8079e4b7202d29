using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Tests.Routing;

/// <summary>The silent-caller code on the agent's phone (DOMAIN.md "The call"), watched alone.</summary>
[TestFixture]
public sealed class SilentCallerWatchTests
{
    [TestCase("*99", 1)]
    [TestCase("9*99", 1)] // A stray key first.
    [TestCase("*9*99", 1)] // The start key again starts over.
    [TestCase("*98*99", 1)]
    [TestCase("*9", 0)]
    [TestCase("*999", 1)]
    [TestCase("*99*99", 2)] // Each complete code once.
    [TestCase("99*", 0)]
    public void Keys_in_order_complete_the_code_any_other_key_starts_over(string keys, int expected)
    {
        var keyed = 0;
        var watch = new SilentCallerWatch("*99", () => keyed++);
        foreach (var key in keys) watch.Feed(key);
        Assert.That(keyed, Is.EqualTo(expected));
    }

    [Test]
    public void It_watches_the_agents_leg_and_an_empty_code_turns_the_feature_off()
    {
        var time = new ObservableTimeProvider(DateTimeOffset.UnixEpoch);
        var leg = new FakeCallLeg("1001", "12345", CallLegDirection.Outbound, time);
        var keyed = 0;
        var owner = new Hotline.AcdEngine.Calls.CallOwner("c-test", ex => Assert.Fail(ex.Message));
        Assert.That(SilentCallerWatch.On(leg, owner, "", () => keyed++), Is.Null);
        Assert.That(SilentCallerWatch.On(leg, owner, "*99", () => keyed++), Is.Not.Null);

        foreach (var key in "*99") leg.Press(key);
        Assert.That(keyed, Is.EqualTo(1));
    }
}
