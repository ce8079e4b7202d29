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

    public NatureDefinition Copy() => (NatureDefinition)MemberwiseClone();
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

    /// <summary>
    /// Reads <c>Catalogue:*</c> as data over the built-in lists (the plain binder would append to them, issue 23):
    /// a configured <c>Categories</c> list replaces the built-in nine; each configured nature overrides the built-in entry
    /// with its code (unset fields keep the built-in values) or is added. <c>Catalogue:BuiltInNatures=false</c> drops the
    /// built-in natures, so the configured list is the whole list.
    /// </summary>
    public void BindFrom(IConfiguration section)
    {
        var categories = section.GetSection(nameof(Categories)).GetChildren().Select(c => c.Value).ToList();
        if (categories.Count > 0) Categories = [.. categories.Select(c => c?.Trim() ?? "")];
        if (section.GetValue<bool?>("BuiltInNatures") == false) Natures = [];
        foreach (var child in section.GetSection(nameof(Natures)).GetChildren())
        {
            var code = child[nameof(NatureDefinition.Code)];
            var index = Natures.FindIndex(n => string.Equals(n.Code, code, StringComparison.OrdinalIgnoreCase));
            var nature = index >= 0 ? Natures[index].Copy() : new NatureDefinition();
            child.Bind(nature);
            // A city that lengthens the deadline but says nothing of major matters: major is never shorter than general.
            if (child[nameof(NatureDefinition.MajorDeadlineWorkingDays)] is null)
                nature.MajorDeadlineWorkingDays = Math.Max(nature.MajorDeadlineWorkingDays, nature.DeadlineWorkingDays);
            if (index >= 0) Natures[index] = nature;
            else Natures.Add(nature);
        }
    }

    public NatureDefinition? FindNature(string? code) =>
        code is null ? null : Natures.Find(n => string.Equals(n.Code, code, StringComparison.OrdinalIgnoreCase));

    public bool IsCategory(string? category) =>
        category is not null && Categories.Exists(c => string.Equals(c, category, StringComparison.OrdinalIgnoreCase)
            || category.StartsWith(c + "/", StringComparison.OrdinalIgnoreCase));

    /// <summary>The 400 message for a category outside the configured list: names the list, so the caller can correct it.</summary>
    public string NotACategory(string category) =>
        $"category '{category}' is not in the catalogue (Catalogue:Categories): {string.Join(", ", Categories)} (or 'category/sub-topic').";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Natures.Count == 0) yield return new ValidationResult("Catalogue:Natures must list at least one nature.", [nameof(Natures)]);
        foreach (var n in Natures)
            if (string.IsNullOrWhiteSpace(n.Code) || n.DeadlineWorkingDays is < 1 or > 60)
                yield return new ValidationResult($"Catalogue:Natures entry '{n.Code}' needs a code and DeadlineWorkingDays 1–60.", [nameof(Natures)]);
        foreach (var dup in Natures.GroupBy(n => n.Code, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            yield return new ValidationResult($"Catalogue:Natures lists '{dup.Key}' more than once.", [nameof(Natures)]);
        foreach (var n in Natures.Where(n => n.MajorDeadlineWorkingDays is < 1 or > 60))
            yield return new ValidationResult($"Catalogue:Natures entry '{n.Code}' needs MajorDeadlineWorkingDays 1–60.", [nameof(Natures)]);
        foreach (var c in Categories.Where(c => string.IsNullOrWhiteSpace(c) || c.Contains('/', StringComparison.Ordinal)))
            yield return new ValidationResult($"Catalogue:Categories entry '{c}' must be a non-empty name without '/' (sub-topics are 'category/sub-topic').", [nameof(Categories)]);
        if (Categories.Count == 0) yield return new ValidationResult("Catalogue:Categories must list at least one category.", [nameof(Categories)]);
    }
}
