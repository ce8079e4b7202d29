using Hotline.Calendar;
using System.ComponentModel.DataAnnotations;

namespace Hotline.TicketApi.Calendar;

/// <summary>The working-day calendar (<c>Calendar:*</c>). Defaults: Asia/Shanghai and China's 2026 public holidays.</summary>
public sealed class CalendarOptions : IValidatableObject
{
    public const string Section = "Calendar";

    /// <summary>IANA time zone of the hotline; the dispatch cut-offs are local times.</summary>
    [Required]
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>Days off that would otherwise be working days (yyyy-MM-dd). Replaces the built-in 2026 list when given.</summary>
    public List<string>? Holidays { get; set; }

    /// <summary>Weekend days that are working days (调休, yyyy-MM-dd). Replaces the built-in 2026 list when given.</summary>
    public List<string>? MakeUpWorkdays { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
            yield return new ValidationResult($"Calendar:TimeZone '{TimeZone}' is not a known time zone.", [nameof(TimeZone)]);
        foreach (var (name, list) in new[] { ("Holidays", Holidays), ("MakeUpWorkdays", MakeUpWorkdays) })
            foreach (var s in list ?? [])
                if (!DateOnly.TryParseExact(s, "yyyy-MM-dd", out _))
                    yield return new ValidationResult($"Calendar:{name} entry '{s}' is not a yyyy-MM-dd date.", [name]);
    }

    public WorkingCalendar Build() => new(
        TimeZoneInfo.FindSystemTimeZoneById(TimeZone),
        Holidays?.Select(s => DateOnly.ParseExact(s, "yyyy-MM-dd")) ?? ChinaPublicHolidays2026.Holidays,
        MakeUpWorkdays?.Select(s => DateOnly.ParseExact(s, "yyyy-MM-dd")) ?? ChinaPublicHolidays2026.MakeUpWorkdays);
}
