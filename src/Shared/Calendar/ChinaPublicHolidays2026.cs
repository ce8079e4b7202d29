namespace Hotline.Calendar;

/// <summary>
/// China's 2026 public holidays and make-up workdays (State Council notice on the 2026 holiday arrangements),
/// the calendar's default data. Override with <c>Calendar:Holidays</c> / <c>Calendar:MakeUpWorkdays</c>.
/// </summary>
public static class ChinaPublicHolidays2026
{
    private static DateOnly D(int month, int day) => new(2026, month, day);

    private static IEnumerable<DateOnly> Span(DateOnly first, DateOnly last)
    {
        for (var d = first; d <= last; d = d.AddDays(1)) yield return d;
    }

    public static IReadOnlyList<DateOnly> Holidays { get; } =
    [
        .. Span(D(1, 1), D(1, 3)),     // New Year
        .. Span(D(2, 15), D(2, 23)),   // Spring Festival
        .. Span(D(4, 4), D(4, 6)),     // Qingming
        .. Span(D(5, 1), D(5, 5)),     // Labour Day
        .. Span(D(6, 19), D(6, 21)),   // Dragon Boat
        .. Span(D(9, 25), D(9, 27)),   // Mid-Autumn
        .. Span(D(10, 1), D(10, 7)),   // National Day
    ];

    public static IReadOnlyList<DateOnly> MakeUpWorkdays { get; } =
    [
        D(1, 4), D(2, 14), D(2, 28), D(5, 9), D(9, 20), D(10, 10),
    ];
}
