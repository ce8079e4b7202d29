using System.Globalization;

namespace Hotline.AcdEngine.Conference;

/// <summary>A department's daily opening window ("08:00-18:00", local to the engine's UTC offset given).</summary>
public readonly record struct DepartmentHours(TimeOnly Open, TimeOnly Close)
{
    public static bool TryParse(string text, out DepartmentHours hours)
    {
        hours = default;
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !TimeOnly.TryParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var open)
            || !TimeOnly.TryParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var close)
            || open == close)
            return false;
        hours = new DepartmentHours(open, close);
        return true;
    }

    /// <summary>Open at <paramref name="localTime"/> (a window may cross midnight).</summary>
    public bool IsOpen(TimeOnly localTime) => Open < Close
        ? localTime >= Open && localTime < Close
        : localTime >= Open || localTime < Close;
}
