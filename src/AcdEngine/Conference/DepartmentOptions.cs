using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Conference;

/// <summary>
/// One department the agent can bring into a call (DOMAIN.md three-way call): <c>Departments:N:Id/Name/Code/Contacts:M</c>.
/// Its staff register softphones like agents; <see cref="Contacts"/> are SIP users ("2001") or SIP URIs, all rung at once.
/// </summary>
public sealed class DepartmentOptions
{
    public const string Section = "Departments";

    public string Id { get; set; } = "";
    public string Name { get; set; } = "";

    /// <summary>Digits the agent keys after <c>*8</c> on the phone (then <c>#</c>).</summary>
    public string Code { get; set; } = "";

    public List<string> Contacts { get; set; } = [];

    /// <summary>Optional local opening hours "HH:mm-HH:mm" (e.g. "08:00-18:00"); empty = always reachable.</summary>
    public string Hours { get; set; } = "";
}

/// <summary>The department list as bound (<c>Departments</c> is a top-level array).</summary>
public sealed class DepartmentsOptions
{
    public List<DepartmentOptions> List { get; set; } = [];
}

/// <summary>How a consultation rings (<c>Conference:*</c>).</summary>
public sealed class ConferenceOptions
{
    public const string Section = "Conference";

    /// <summary>Each attempt rings the department's contacts this long.</summary>
    [Range(5, 120)]
    public int RingTimeoutSeconds { get; set; } = 20;

    /// <summary>DOMAIN.md: two attempts, then the matter is dispatched as a work order.</summary>
    [Range(1, 5)]
    public int Attempts { get; set; } = 2;

    /// <summary>Digits that start a consult from the agent's phone: <c>*8</c> + department code + <c>#</c>.</summary>
    [RegularExpression(@"^[*#0-9]{1,4}$")]
    public string ConsultPrefix { get; set; } = "*8";
}

/// <summary>Refuses department lists that would fail at call time: blank or duplicate ids/codes, no contacts, bad hours.</summary>
public sealed class DepartmentsOptionsValidator : IValidateOptions<DepartmentsOptions>
{
    public ValidateOptionsResult Validate(string? name, DepartmentsOptions options)
    {
        var failures = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var codes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.List.Count; i++)
        {
            var d = options.List[i];
            var key = $"Departments:{i}";
            if (string.IsNullOrWhiteSpace(d.Id)) failures.Add($"{key}:Id is required.");
            else if (!ids.Add(d.Id)) failures.Add($"{key}:Id '{d.Id}' is used twice.");
            if (d.Code.Length is 0 or > 6 || !d.Code.All(char.IsAsciiDigit)) failures.Add($"{key}:Code must be 1 to 6 digits (keyed after the consult prefix).");
            else if (!codes.Add(d.Code)) failures.Add($"{key}:Code '{d.Code}' is used twice.");
            if (d.Contacts.Count == 0 || d.Contacts.Any(string.IsNullOrWhiteSpace)) failures.Add($"{key}:Contacts needs at least one SIP user or URI.");
            if (d.Hours.Length > 0 && !DepartmentHours.TryParse(d.Hours, out _)) failures.Add($"{key}:Hours must look like 08:00-18:00.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
