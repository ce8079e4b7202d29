namespace Hotline.AcdEngine.Greetings;

/// <summary>Greeting variants (<c>Acd:Greetings:*</c>, DOMAIN.md "The call": holiday variant).</summary>
public sealed class GreetingOptions
{
    /// <summary>Prompt played instead of <c>Acd:Greeting</c> on a holiday ("" = no holiday variant).</summary>
    public string Holiday { get; set; } = "greeting-holiday";

    /// <summary>
    /// Holiday dates, "yyyy-MM-dd". Empty: China's 2026 public holidays — the same data file as TicketApi's working
    /// calendar (src/Shared/Calendar/ChinaPublicHolidays2026.cs, linked into the engine), so both agree on holidays.
    /// </summary>
    public List<string> Holidays { get; set; } = [];

    /// <summary>The zone whose local date decides (TicketApi's <c>Calendar:TimeZone</c> default).</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";
}
