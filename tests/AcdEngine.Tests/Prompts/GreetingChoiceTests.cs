using Hotline.AcdEngine.Greetings;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Routing;

namespace Hotline.AcdEngine.Tests.Prompts;

/// <summary>Issue 23, DOMAIN.md "The call": the holiday variant of the greeting on holidays of the calendar.</summary>
[TestFixture]
public sealed class GreetingChoiceTests
{
    private static DateTimeOffset Beijing(int month, int day, int hour) => new(2026, month, day, hour, 0, 0, TimeSpan.FromHours(8));

    [Test]
    public void On_a_holiday_of_the_shared_calendar_the_holiday_greeting_plays_by_local_date()
    {
        var choice = new GreetingChoice(new AcdOptions());
        Assert.Multiple(() =>
        {
            Assert.That(choice.For(Beijing(10, 1, 9)), Is.EqualTo("greeting-holiday"), "National Day");
            Assert.That(choice.For(Beijing(2, 17, 20)), Is.EqualTo("greeting-holiday"), "Spring Festival");
            Assert.That(choice.For(Beijing(10, 8, 9)), Is.EqualTo("greeting"), "the first working day after");
            Assert.That(choice.For(Beijing(10, 10, 9)), Is.EqualTo("greeting"), "a make-up working Saturday is no holiday");
            // 30 Sep 23:30 UTC is already 1 Oct in Beijing: the local date decides.
            Assert.That(choice.For(new DateTimeOffset(2026, 9, 30, 16, 30, 0, TimeSpan.Zero)), Is.EqualTo("greeting-holiday"));
            Assert.That(choice.For(new DateTimeOffset(2026, 9, 30, 15, 30, 0, TimeSpan.Zero)), Is.EqualTo("greeting"));
        });
    }

    [Test]
    public void Configured_holidays_replace_the_default_calendar_and_an_empty_greeting_silences_every_variant()
    {
        var options = new AcdOptions();
        options.Greetings.Holidays = ["2026-12-25"];
        var choice = new GreetingChoice(options);
        Assert.That(choice.For(Beijing(12, 25, 10)), Is.EqualTo("greeting-holiday"));
        Assert.That(choice.For(Beijing(10, 1, 10)), Is.EqualTo("greeting"), "the configured list is the whole list");

        var silent = new AcdOptions { Greeting = "" };
        Assert.That(new GreetingChoice(silent).For(Beijing(10, 1, 10)), Is.EqualTo(""));
        var noVariant = new AcdOptions();
        noVariant.Greetings.Holiday = "";
        Assert.That(new GreetingChoice(noVariant).For(Beijing(10, 1, 10)), Is.EqualTo("greeting"));
    }

    [Test]
    public void A_bad_holiday_date_or_zone_names_its_key()
    {
        var options = new AcdOptions();
        options.Greetings.Holidays = ["1 Oct"];
        options.Greetings.TimeZone = "Mars/Olympus";
        var result = new AcdOptionsValidator().Validate(null, options);
        Assert.That(result.FailureMessage, Does.Contain("Acd:Greetings:Holidays '1 Oct'").And.Contain("Acd:Greetings:TimeZone 'Mars/Olympus'"));
    }
}
