using System.ComponentModel.DataAnnotations;

namespace Hotline.TicketApi.Desk;

/// <summary><c>Desk:*</c>: what the agent's desk offers (issue 17).</summary>
public sealed class DeskOptions : IValidatableObject
{
    public const string Section = "Desk";

    /// <summary>The reasons an agent may give for "not ready" (shown on the wallboard).</summary>
    public List<string> NotReadyReasons { get; set; } = ["break", "lunch", "training", "meeting", "after-call work"];

    /// <summary>Departments the agent may consult (three-way call): the engine's <c>Departments[].Id</c> with a name and code.</summary>
    public List<DeskDepartment> Departments { get; set; } = [];

    /// <summary>A caller who called within this many days before is marked a repeat caller on the screen pop.</summary>
    [Range(1, 365)]
    public int RepeatCallerDays { get; set; } = 30;

    /// <summary>How many previous calls and orders the screen pop lists.</summary>
    [Range(1, 50)]
    public int HistoryItems { get; set; } = 10;

    /// <summary>The browser phone (issue 18); off unless <c>Desk:Phone:WebSocketUrl</c> is set.</summary>
    public DeskPhoneOptions Phone { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var problem in Phone.Problems())
            yield return new ValidationResult(problem, [nameof(Phone)]);
        if (NotReadyReasons.Count == 0 || NotReadyReasons.Any(r => string.IsNullOrWhiteSpace(r) || r.Length > 40))
            yield return new ValidationResult("Desk:NotReadyReasons must list at least one reason, each 1 to 40 characters.", [nameof(NotReadyReasons)]);
        for (var i = 0; i < Departments.Count; i++)
            if (string.IsNullOrWhiteSpace(Departments[i].Id) || string.IsNullOrWhiteSpace(Departments[i].Name))
                yield return new ValidationResult($"Desk:Departments:{i} needs an Id (the engine's department id) and a Name.", [nameof(Departments)]);
    }
}

public sealed class DeskDepartment
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>The consult code the agent would key on the phone (Conference:ConsultPrefix + code), shown for reference.</summary>
    public string Code { get; set; } = "";
}
