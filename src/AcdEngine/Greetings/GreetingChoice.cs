using System.Globalization;
using Hotline.AcdEngine.Hosting;
using Hotline.Calendar;

namespace Hotline.AcdEngine.Greetings;

/// <summary>Which greeting a caller hears at an instant: the holiday variant on a holiday of the calendar, else <c>Acd:Greeting</c>.</summary>
public sealed class GreetingChoice
{
    private readonly string _greeting;
    private readonly string _holiday;
    private readonly TimeZoneInfo _zone;
    private readonly HashSet<DateOnly> _holidays;

    public GreetingChoice(IGreetingSettings options)
    {
        _greeting = options.Greeting;
        _holiday = options.Greetings.Holiday;
        _zone = TimeZoneInfo.FindSystemTimeZoneById(options.Greetings.TimeZone);
        _holidays = options.Greetings.Holidays.Count > 0
            ? [.. options.Greetings.Holidays.Select(d => DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture))]
            : [.. ChinaPublicHolidays2026.Holidays];
    }

    /// <summary>The prompt name ("" = no greeting: <c>Acd:Greeting</c> empty silences every variant).</summary>
    public string For(DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(_greeting) || string.IsNullOrEmpty(_holiday)) return _greeting;
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, _zone).DateTime);
        return _holidays.Contains(day) ? _holiday : _greeting;
    }
}
