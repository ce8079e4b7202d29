using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Survey;

/// <summary>
/// The post-call satisfaction survey (<c>Survey:*</c>). DOMAIN.md: after the call the caller rates the agent's service
/// (satisfied / basically satisfied / not satisfied), inbound and outbound calls alike.
/// </summary>
public sealed class SurveyOptions
{
    public const string Section = "Survey";

    /// <summary>When the agent hangs up first the caller stays on the line for the survey (default on).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The rating prompt (file under the sounds folder, without .wav).</summary>
    public string Prompt { get; set; } = "survey";

    /// <summary>Played after a valid key, before the engine hangs up.</summary>
    public string ThanksPrompt { get; set; } = "survey-thanks";

    /// <summary>Seconds to wait for a key after the prompt; nothing valid by then is "not rated".</summary>
    public int TimeoutSeconds { get; set; } = 8;

    /// <summary>Key → score (<c>Survey:Digits:1</c> = <c>Satisfied</c>).</summary>
    public Dictionary<string, SurveyScore> Digits { get; set; } = new(StringComparer.Ordinal)
    {
        ["1"] = SurveyScore.Satisfied,
        ["2"] = SurveyScore.BasicallySatisfied,
        ["3"] = SurveyScore.NotSatisfied,
    };

    /// <summary>Why the options are unusable, or null.</summary>
    public IEnumerable<string> Problems()
    {
        if (TimeoutSeconds is < 1 or > 120) yield return "Survey:TimeoutSeconds must be between 1 and 120.";
        if (string.IsNullOrWhiteSpace(Prompt)) yield return "Survey:Prompt is required.";
        if (Digits.Count == 0) yield return "Survey:Digits needs at least one key.";
        foreach (var (key, score) in Digits)
        {
            if (key.Length != 1 || !"0123456789*#".Contains(key[0], StringComparison.Ordinal))
                yield return $"Survey:Digits key '{key}' must be one DTMF key (0-9, * or #).";
            if (!Enum.IsDefined(score)) yield return $"Survey:Digits:{key} must be Satisfied, BasicallySatisfied or NotSatisfied.";
        }
    }
}

/// <summary>A rating as configured (the contract's <see cref="SatisfactionScore"/> without the technical values).</summary>
public enum SurveyScore
{
    Satisfied = 1,
    BasicallySatisfied = 2,
    NotSatisfied = 3,
}
