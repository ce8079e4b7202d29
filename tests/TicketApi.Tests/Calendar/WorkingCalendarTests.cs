using Hotline.TicketApi.Calendar;

namespace Hotline.TicketApi.Tests.Calendar;

[TestFixture]
public sealed class WorkingCalendarTests
{
    private static readonly WorkingCalendar Calendar = Fixtures.Calendar;

    [TestCase(2026, 11, 24, true, TestName = "An ordinary Tuesday is a working day")]
    [TestCase(2026, 11, 28, false, TestName = "A Saturday is not")]
    [TestCase(2026, 10, 5, false, TestName = "National Day holiday (a Monday) is not")]
    [TestCase(2026, 10, 10, true, TestName = "The make-up Saturday after National Day is")]
    [TestCase(2026, 2, 14, true, TestName = "The make-up Saturday before Spring Festival is")]
    [TestCase(2026, 1, 1, false, TestName = "New Year's Day is not")]
    public void Knows_working_days(int y, int m, int d, bool working) =>
        Assert.That(Calendar.IsWorkingDay(new DateOnly(y, m, d)), Is.EqualTo(working));

    [Test]
    public void Working_days_skip_the_national_day_week_and_count_the_make_up_saturday()
    {
        // Tue 29 Sep + 3 working days: Wed 30 Sep, (1–7 Oct off), Thu 8 Oct, Fri 9 Oct.
        Assert.That(Calendar.AddWorkingDays(new DateOnly(2026, 9, 29), 3), Is.EqualTo(new DateOnly(2026, 10, 9)));
        // Fri 9 Oct + 1: Sat 10 Oct is a make-up workday.
        Assert.That(Calendar.AddWorkingDays(new DateOnly(2026, 10, 9), 1), Is.EqualTo(new DateOnly(2026, 10, 10)));
    }

    [Test]
    public void Holidays_are_data_that_configuration_replaces()
    {
        var options = new CalendarOptions { Holidays = ["2026-11-25"], MakeUpWorkdays = ["2026-11-28"] };
        var calendar = options.Build();
        Assert.Multiple(() =>
        {
            Assert.That(calendar.IsWorkingDay(new DateOnly(2026, 11, 25)), Is.False);
            Assert.That(calendar.IsWorkingDay(new DateOnly(2026, 11, 28)), Is.True);
            Assert.That(calendar.IsWorkingDay(new DateOnly(2026, 10, 5)), Is.True, "the built-in list is replaced");
        });
    }

    [Test]
    public void Bad_calendar_configuration_names_the_key()
    {
        var options = new CalendarOptions { TimeZone = "Mars/Olympus", Holidays = ["25/11/2026"] };
        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(e => e.ErrorMessage).ToList();
        Assert.That(errors, Has.Some.Contains("Calendar:TimeZone").And.Some.Contains("Calendar:Holidays"));
    }
}
