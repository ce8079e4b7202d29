using Hotline.AcdEngine.Queues;
using System.Globalization;

namespace Hotline.AcdEngine.Hours;

/// <summary>Whether the hotline takes calls at an instant (24/7 unless <c>Acd:BusinessHours:Enabled</c>).</summary>
public sealed class BusinessHours
{
    private readonly BusinessHoursOptions _options;
    private readonly TimeZoneInfo _zone;
    private readonly TimeOnly _open;
    private readonly TimeOnly? _close;
    private readonly HashSet<DateOnly> _holidays;

    public BusinessHours(BusinessHoursOptions options)
    {
        _options = options;
        _zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        _open = TimeOnly.ParseExact(options.Open, "HH:mm", CultureInfo.InvariantCulture);
        _close = options.Close == "24:00" ? null : TimeOnly.ParseExact(options.Close, "HH:mm", CultureInfo.InvariantCulture);
        _holidays = options.Holidays.Select(d => DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture)).ToHashSet();
    }

    public OverflowAction ClosedAction => _options.ClosedAction;

    public bool IsOpen(DateTimeOffset at)
    {
        if (!_options.Enabled) return true; // DOMAIN.md: a caller dials the hotline at any hour.
        var local = TimeZoneInfo.ConvertTime(at, _zone);
        var day = DateOnly.FromDateTime(local.DateTime);
        if (_holidays.Contains(day) || !_options.Days.Contains(local.DayOfWeek)) return false;
        var time = TimeOnly.FromDateTime(local.DateTime);
        return time >= _open && (_close is null || time < _close);
    }
}
