namespace Hotline.TicketApi.Calendar;

/// <summary>
/// Which days are working days: Monday–Friday, minus declared holidays, plus declared make-up
/// workdays (调休). DOMAIN.md: "Working days follow a holiday calendar" — the days are data, not code.
/// </summary>
public sealed class WorkingCalendar
{
    private readonly HashSet<DateOnly> _holidays;
    private readonly HashSet<DateOnly> _makeUpWorkdays;

    public WorkingCalendar(TimeZoneInfo zone, IEnumerable<DateOnly> holidays, IEnumerable<DateOnly> makeUpWorkdays)
    {
        Zone = zone;
        _holidays = [.. holidays];
        _makeUpWorkdays = [.. makeUpWorkdays];
    }

    /// <summary>The hotline's local time zone: cut-offs (17:00, 08:30, 12:00) are local times.</summary>
    public TimeZoneInfo Zone { get; }

    public bool IsWorkingDay(DateOnly day)
    {
        if (_makeUpWorkdays.Contains(day)) return true;
        if (_holidays.Contains(day)) return false;
        return day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    /// <summary>The <paramref name="count"/>-th working day after <paramref name="day"/> (the day itself not counted).</summary>
    public DateOnly AddWorkingDays(DateOnly day, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var d = day;
        while (count > 0)
        {
            d = d.AddDays(1);
            if (IsWorkingDay(d)) count--;
        }
        return d;
    }

    /// <summary>The first working day on or after <paramref name="day"/>.</summary>
    public DateOnly NextWorkingDayOnOrAfter(DateOnly day)
    {
        var d = day;
        while (!IsWorkingDay(d)) d = d.AddDays(1);
        return d;
    }

    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>The UTC instant of a local wall-clock time on a local day.</summary>
    public DateTimeOffset AtLocal(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>The end of a local day (its following midnight), as UTC.</summary>
    public DateTimeOffset EndOfDay(DateOnly day) => AtLocal(day.AddDays(1), TimeOnly.MinValue);
}
