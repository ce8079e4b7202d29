using System.ComponentModel.DataAnnotations;

namespace Hotline.TicketApi.Catalogue;

/// <summary>One nature of a matter (DOMAIN.md "Classification") and its reply deadline in working days.</summary>
public sealed class NatureDefinition
{
    [Required] public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>DOMAIN.md "Deadlines": complaint 3, report 10, suggestion 15 working days.</summary>
    [Range(1, 60)] public int DeadlineWorkingDays { get; set; } = 3;
    /// <summary>Deadline when the order is flagged major (DOMAIN.md: major complaint 5 working days).</summary>
    [Range(1, 60)] public int MajorDeadlineWorkingDays { get; set; } = 5;
    /// <summary>The reporter's identity is confidential (举报): departments never see it.</summary>
    public bool ConfidentialReporter { get; set; }
}

/// <summary>Natures and content categories (<c>Catalogue:*</c>): data, not code.</summary>
public sealed class CatalogueOptions : IValidatableObject
{
    public const string Section = "Catalogue";

    public List<NatureDefinition> Natures { get; set; } =
    [
        new() { Code = "consultation", Name = "咨询", DeadlineWorkingDays = 3, MajorDeadlineWorkingDays = 5 },
        new() { Code = "help", Name = "求助", DeadlineWorkingDays = 5, MajorDeadlineWorkingDays = 10 },
        new() { Code = "complaint", Name = "投诉", DeadlineWorkingDays = 3, MajorDeadlineWorkingDays = 5 },
        new() { Code = "report", Name = "举报", DeadlineWorkingDays = 10, MajorDeadlineWorkingDays = 15, ConfidentialReporter = true },
        new() { Code = "suggestion", Name = "建议", DeadlineWorkingDays = 15, MajorDeadlineWorkingDays = 30 },
        new() { Code = "praise", Name = "表扬", DeadlineWorkingDays = 15, MajorDeadlineWorkingDays = 15 },
    ];

    /// <summary>Content categories (one city's list, DOMAIN.md); sub-topics as "category/sub-topic".</summary>
    public List<string> Categories { get; set; } =
    [
        "urban-construction-environment", "agriculture", "justice-civil-affairs", "industry-transport",
        "labour-personnel", "science-education-culture-health", "finance-tax-market", "services", "other",
    ];

    public NatureDefinition? FindNature(string? code) =>
        code is null ? null : Natures.Find(n => string.Equals(n.Code, code, StringComparison.OrdinalIgnoreCase));

    public bool IsCategory(string? category) =>
        category is not null && Categories.Exists(c => string.Equals(c, category, StringComparison.OrdinalIgnoreCase)
            || category.StartsWith(c + "/", StringComparison.OrdinalIgnoreCase));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Natures.Count == 0) yield return new ValidationResult("Catalogue:Natures must list at least one nature.", [nameof(Natures)]);
        foreach (var n in Natures)
            if (string.IsNullOrWhiteSpace(n.Code) || n.DeadlineWorkingDays is < 1 or > 60)
                yield return new ValidationResult($"Catalogue:Natures entry '{n.Code}' needs a code and DeadlineWorkingDays 1–60.", [nameof(Natures)]);
        if (Categories.Count == 0) yield return new ValidationResult("Catalogue:Categories must list at least one category.", [nameof(Categories)]);
    }
}
