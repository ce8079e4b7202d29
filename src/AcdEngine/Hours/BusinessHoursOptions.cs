using Hotline.AcdEngine.Queues;

namespace Hotline.AcdEngine.Hours;

public sealed class BusinessHoursOptions
{
    public bool Enabled { get; set; }

    /// <summary>IANA or Windows time zone id of the hotline (default UTC).</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Opening time of day, "HH:mm".</summary>
    public string Open { get; set; } = "08:00";

    /// <summary>Closing time of day, "HH:mm".</summary>
    public string Close { get; set; } = "20:00";

    /// <summary>Days open.</summary>
    public List<DayOfWeek> Days { get; set; } = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    /// <summary>Closed dates, "yyyy-MM-dd".</summary>
    public List<string> Holidays { get; set; } = [];

    /// <summary>What a caller outside hours gets (night/holiday overflow).</summary>
    public OverflowAction ClosedAction { get; set; } = OverflowAction.Callback;
}
