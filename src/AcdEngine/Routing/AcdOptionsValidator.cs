using System.Globalization;
using Microsoft.Extensions.Options;

using Hotline.AcdEngine.Hours;
using Hotline.AcdEngine.Queues;

namespace Hotline.AcdEngine.Routing;

/// <summary>Cross-field rules of <c>Acd:*</c> that data annotations cannot express; each failure names its key.</summary>
public sealed class AcdOptionsValidator(IConfiguration? configuration = null) : IValidateOptions<AcdOptions>
{
    public ValidateOptionsResult Validate(string? name, AcdOptions options)
    {
        var failures = new List<string>();
        if (configuration is not null) CheckEnumValues(configuration.GetSection(AcdOptions.Section), failures);
        if (!options.Queues.ContainsKey(options.DefaultQueue))
            failures.Add($"Acd:DefaultQueue '{options.DefaultQueue}' is not a configured queue (Acd:Queues).");
        foreach (var (queue, q) in options.Queues)
        {
            if (string.IsNullOrWhiteSpace(queue) || queue.Length > 64)
                failures.Add("Acd:Queues: a queue name must be 1-64 characters.");
            if (q.ServiceLevelSeconds is < 0 or > 600)
                failures.Add($"Acd:Queues:{queue}:ServiceLevelSeconds must be between 0 and 600.");
            if (q.MaxWaitSeconds < 0) failures.Add($"Acd:Queues:{queue}:MaxWaitSeconds must not be negative.");
            if (q.MaxLength < 0) failures.Add($"Acd:Queues:{queue}:MaxLength must not be negative.");
            if (q.Overflow == OverflowAction.Queue && (!options.Queues.ContainsKey(q.OverflowQueue) || q.OverflowQueue == queue))
                failures.Add($"Acd:Queues:{queue}:OverflowQueue must name another configured queue.");
        }
        foreach (var (digit, choice) in options.Ivr.Options)
        {
            if (digit.Length != 1 || !"0123456789*#".Contains(digit[0], StringComparison.Ordinal))
                failures.Add($"Acd:Ivr:Options:{digit} must be a single DTMF key (0-9, *, #).");
            if (!options.Queues.ContainsKey(choice.Queue))
                failures.Add($"Acd:Ivr:Options:{digit}:Queue '{choice.Queue}' is not a configured queue.");
        }
        if (options.Ivr.TimeoutSeconds is < 1 or > 60) failures.Add("Acd:Ivr:TimeoutSeconds must be between 1 and 60.");
        if (options.Ivr.Retries is < 0 or > 5) failures.Add("Acd:Ivr:Retries must be between 0 and 5.");
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(options.Greetings.TimeZone, out _))
            failures.Add($"Acd:Greetings:TimeZone '{options.Greetings.TimeZone}' is not a known time zone.");
        foreach (var day in options.Greetings.Holidays)
            if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                failures.Add($"Acd:Greetings:Holidays '{day}' must be yyyy-MM-dd.");
        var hours = options.BusinessHours;
        if (!TimeOnly.TryParseExact(hours.Open, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            failures.Add("Acd:BusinessHours:Open must be HH:mm.");
        if (hours.Close != "24:00" && !TimeOnly.TryParseExact(hours.Close, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            failures.Add("Acd:BusinessHours:Close must be HH:mm (or 24:00).");
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(hours.TimeZone, out _))
            failures.Add($"Acd:BusinessHours:TimeZone '{hours.TimeZone}' is not a known time zone.");
        foreach (var day in hours.Holidays)
            if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                failures.Add($"Acd:BusinessHours:Holidays '{day}' must be yyyy-MM-dd.");
        if (hours.ClosedAction == OverflowAction.Queue) failures.Add("Acd:BusinessHours:ClosedAction must be Callback, Announce or Voicemail.");
        if (options.Voicemail.MaxSeconds is < 5 or > 600) failures.Add("Acd:Voicemail:MaxSeconds must be between 5 and 600.");
        if (options.Voicemail.MinSeconds < 0 || options.Voicemail.MinSeconds >= options.Voicemail.MaxSeconds)
            failures.Add("Acd:Voicemail:MinSeconds must be between 0 and Acd:Voicemail:MaxSeconds.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// The configuration binder silently drops a dictionary entry whose enum value does not parse (a queue with
    /// <c>Strategy: Random</c> would vanish): read those values from the raw configuration and name the key.
    /// </summary>
    private static void CheckEnumValues(IConfigurationSection acd, List<string> failures)
    {
        foreach (var queue in acd.GetSection("Queues").GetChildren())
        {
            Check<Queues.QueueStrategy>(queue.GetSection("Strategy"), failures);
            Check<OverflowAction>(queue.GetSection("Overflow"), failures);
        }
        Check<OverflowAction>(acd.GetSection("BusinessHours:ClosedAction"), failures);
        foreach (var day in acd.GetSection("BusinessHours:Days").GetChildren()) Check<DayOfWeek>(day, failures);
    }

    private static void Check<T>(IConfigurationSection section, List<string> failures) where T : struct, Enum
    {
        if (section.Value is { } value && !Enum.TryParse<T>(value, ignoreCase: true, out _))
            failures.Add($"{section.Path} '{value}' must be one of {string.Join(", ", Enum.GetNames<T>())}.");
    }
}
