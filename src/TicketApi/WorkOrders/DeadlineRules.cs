using Hotline.TicketApi.Calendar;

namespace Hotline.TicketApi.WorkOrders;

/// <summary>DOMAIN.md's time rules: dispatch cut-off, reply deadlines in working days, callback window.</summary>
public sealed class DeadlineRules(WorkingCalendar calendar)
{
    /// <summary>DOMAIN.md: orders taken before 17:00 go out the same day.</summary>
    public static readonly TimeOnly SameDayCutOff = new(17, 0);
    /// <summary>DOMAIN.md: orders taken 17:00–08:30 go out by 12:00.</summary>
    public static readonly TimeOnly MorningStart = new(8, 30);
    public static readonly TimeOnly NextDayDue = new(12, 0);
    /// <summary>DOMAIN.md "Emergencies immediately": we allow 30 minutes.</summary>
    public static readonly TimeSpan EmergencyDispatch = TimeSpan.FromMinutes(30);
    /// <summary>DOMAIN.md: callback within 3 days of the reply.</summary>
    public static readonly TimeSpan CallbackWindow = TimeSpan.FromDays(3);
    /// <summary>DOMAIN.md: an extension is at most 7 more days.</summary>
    public const int MaxExtensionDays = 7;

    public WorkingCalendar Calendar => calendar;

    /// <summary>When an order accepted at <paramref name="acceptedUtc"/> must be dispatched by.</summary>
    public DateTime DispatchDue(DateTime acceptedUtc, bool emergency)
    {
        if (emergency) return acceptedUtc + EmergencyDispatch;
        var local = calendar.ToLocal(new DateTimeOffset(acceptedUtc, TimeSpan.Zero));
        var day = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        if (calendar.IsWorkingDay(day) && time >= MorningStart && time < SameDayCutOff)
            return calendar.EndOfDay(day).UtcDateTime;                 // same day
        if (calendar.IsWorkingDay(day) && time < MorningStart)
            return calendar.AtLocal(day, NextDayDue).UtcDateTime;       // 00:00–08:30: by 12:00 today
        var next = calendar.NextWorkingDayOnOrAfter(day.AddDays(1));    // after 17:00 or a day off
        return calendar.AtLocal(next, NextDayDue).UtcDateTime;
    }

    /// <summary>The end (next local midnight, as UTC) of the local day containing <paramref name="utc"/>.</summary>
    public DateTime EndOfLocalDay(DateTime utc)
    {
        var local = calendar.ToLocal(new DateTimeOffset(utc, TimeSpan.Zero));
        return calendar.EndOfDay(DateOnly.FromDateTime(local.DateTime)).UtcDateTime;
    }

    /// <summary>Reply deadline: the end of the N-th working day after the dispatch day.</summary>
    public DateTime ReplyDeadline(DateTime dispatchedUtc, int workingDays)
    {
        var local = calendar.ToLocal(new DateTimeOffset(dispatchedUtc, TimeSpan.Zero));
        var due = calendar.AddWorkingDays(DateOnly.FromDateTime(local.DateTime), workingDays);
        return calendar.EndOfDay(due).UtcDateTime;
    }

    /// <summary>An extension of <paramref name="days"/> working days moves the deadline's day on.</summary>
    public DateTime Extend(DateTime deadlineUtc, int days)
    {
        // The deadline is an end-of-day midnight; its working day is the local day before it.
        var local = calendar.ToLocal(new DateTimeOffset(deadlineUtc, TimeSpan.Zero));
        var day = DateOnly.FromDateTime(local.DateTime).AddDays(-1);
        return calendar.EndOfDay(calendar.AddWorkingDays(day, days)).UtcDateTime;
    }
}
