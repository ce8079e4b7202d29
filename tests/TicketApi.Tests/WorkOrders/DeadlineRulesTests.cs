using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.WorkOrders;

/// <summary>DOMAIN.md: taken before 17:00 → out the same day; 17:00–08:30 → out by 12:00; emergencies at once.</summary>
[TestFixture]
public sealed class DeadlineRulesTests
{
    [Test]
    public void Taken_during_the_working_day_goes_out_the_same_day() =>
        Assert.That(Rules.DispatchDue(Local(2026, 11, 24, 16, 59), emergency: false), Is.EqualTo(Local(2026, 11, 25)));

    [Test]
    public void Taken_at_17_00_goes_out_by_noon_the_next_working_day() =>
        Assert.That(Rules.DispatchDue(Local(2026, 11, 24, 17, 0), emergency: false), Is.EqualTo(Local(2026, 11, 25, 12)));

    [Test]
    public void Taken_before_08_30_goes_out_by_noon_that_day() =>
        Assert.That(Rules.DispatchDue(Local(2026, 11, 24, 8, 29), emergency: false), Is.EqualTo(Local(2026, 11, 24, 12)));

    [Test]
    public void Taken_friday_evening_goes_out_monday_noon() =>
        Assert.That(Rules.DispatchDue(Local(2026, 11, 27, 20), emergency: false), Is.EqualTo(Local(2026, 11, 30, 12)));

    [Test]
    public void Taken_on_a_holiday_goes_out_on_the_next_working_day_even_a_make_up_saturday() =>
        Assert.That(Rules.DispatchDue(Local(2026, 10, 7, 10), emergency: false), Is.EqualTo(Local(2026, 10, 8, 12)));

    [Test]
    public void Emergencies_go_out_within_30_minutes() =>
        Assert.That(Rules.DispatchDue(Local(2026, 11, 24, 23), emergency: true), Is.EqualTo(Local(2026, 11, 24, 23, 30)));

    [Test]
    public void Reply_deadline_is_the_end_of_the_nth_working_day_after_dispatch()
    {
        // Dispatched Wed 30 Sep: 3 working days → 8, 9, 10 Oct (10 Oct is a make-up Saturday).
        Assert.That(Rules.ReplyDeadline(Local(2026, 9, 30, 10), 3), Is.EqualTo(Local(2026, 10, 11)));
        // Dispatched Tue 24 Nov: 10 working days → Tue 8 Dec.
        Assert.That(Rules.ReplyDeadline(Local(2026, 11, 24, 10), 10), Is.EqualTo(Local(2026, 12, 9)));
    }
}
