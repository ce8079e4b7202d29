using Hotline.AcdEngine.Outbound;
using Hotline.AcdEngine.Dialing;

namespace Hotline.AcdEngine.Tests.Outbound;

/// <summary>The default dial plan keeps calls in the country (issue 14: toll fraud goes abroad).</summary>
[TestFixture]
public sealed class DialPlanInternationalTests
{
    private static DialPlan Plan(bool allowInternational = false) =>
        new(new OutboundOptions { Gateway = "sip:10.0.0.1:5060", AllowInternational = allowInternational, Allow = [@"^1[3-9]\d{9}$", @"^0\d{9,11}$", @"^00\d+$"] });

    [TestCase("00441234567890")]
    [TestCase("0044 1234 5678")]
    [TestCase("+441234567890")]
    [TestCase("+12025550100")]
    public void International_numbers_are_refused_even_when_an_allow_pattern_matches(string number)
    {
        Assert.That(Plan().TryResolve(number, out _, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("international"));
    }

    [Test]
    public void The_home_country_code_is_dialled_in_national_form()
    {
        Assert.That(Plan().TryResolve("+8613900139000", out var mobile, out var target, out _), Is.True);
        Assert.That(Plan().TryResolve("+862088886666", out var landline, out _, out _), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(mobile, Is.EqualTo("13900139000"));
            Assert.That(target, Is.EqualTo("sip:13900139000@10.0.0.1:5060"));
            Assert.That(landline, Is.EqualTo("02088886666"));
        });
    }

    [Test]
    public void Allowing_international_calls_is_an_explicit_choice()
    {
        Assert.That(Plan(allowInternational: true).TryResolve("00441234567890", out _, out _, out _), Is.True);
        Assert.That(new DialPlan(new OutboundOptions { Gateway = "sip:10.0.0.1" }).TryResolve("00441234567", out _, out _, out _), Is.False,
            "the default Allow's 0… pattern no longer lets 00… through");
    }
}
