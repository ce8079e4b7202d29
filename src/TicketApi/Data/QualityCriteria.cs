namespace Hotline.TicketApi.Data;

/// <summary>
/// The four criteria a recording is scored on (DOMAIN.md: greeting, attitude, accuracy, hold usage), each out of
/// <see cref="MaxPoints"/>, so a recording scores out of 100 like the hundred-point recording check of seed 004
/// (录音质检, 百分制). DOMAIN.md gives no weights, so the four weigh the same.
/// </summary>
public static class QualityCriteria
{
    public const int MaxPoints = 25;
    public const int MaxTotal = 4 * MaxPoints;

    /// <summary>The JSON field names, in the order the form shows them.</summary>
    public static readonly IReadOnlyList<string> Names = ["greeting", "attitude", "accuracy", "holdUsage"];

    /// <summary>
    /// The monthly assessment points a mean recording score earns (seed 004, 录音质检 40 分: below 60 nothing, 60–64 five,
    /// then five more for every five points, 95 and above all 40).
    /// </summary>
    public static int AssessmentPoints(double meanScore) =>
        meanScore < 60 ? 0 : Math.Min(40, 5 + 5 * (int)((meanScore - 60) / 5));
}

/// <summary>A score that breaks the rules of <see cref="QualityCriteria"/>.</summary>
public sealed class QualityRuleException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
