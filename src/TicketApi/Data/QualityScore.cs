namespace Hotline.TicketApi.Data;

/// <summary>
/// One scoring of a sampled recording: the four criteria, a comment, who scored and when. Rows are never changed except
/// to retire them: scoring a call again adds a row and marks the one before not <see cref="Current"/>, so every scoring
/// stays on record (the review's audit trail) and the figures count only the current one.
/// </summary>
public sealed class QualityScore
{
    private QualityScore() { }

    public long Id { get; private set; }
    public string CallId { get; private set; } = "";
    /// <summary>The agent who answered the call (the one scored).</summary>
    public string AgentId { get; private set; } = "";
    /// <summary>When the call was offered: the month it counts in.</summary>
    public DateTime CallOfferedAt { get; private set; }
    public int Greeting { get; private set; }
    public int Attitude { get; private set; }
    public int Accuracy { get; private set; }
    public int HoldUsage { get; private set; }
    /// <summary>Out of <see cref="QualityCriteria.MaxTotal"/>.</summary>
    public int Total { get; private set; }
    public string? Comment { get; private set; }
    public string ScoredBy { get; private set; } = "";
    public string ScoredByRole { get; private set; } = "";
    public DateTime ScoredAt { get; private set; }
    /// <summary>The latest scoring of its call (earlier ones stay, retired).</summary>
    public bool Current { get; private set; }

    /// <summary>A scoring; each criterion must be 0 to <see cref="QualityCriteria.MaxPoints"/>.</summary>
    public static QualityScore Create(string callId, string agentId, DateTime callOfferedAt, int greeting, int attitude, int accuracy, int holdUsage,
        string? comment, string scoredBy, string scoredByRole, DateTime nowUtc)
    {
        Check("greeting", greeting);
        Check("attitude", attitude);
        Check("accuracy", accuracy);
        Check("holdUsage", holdUsage);
        if (comment is { Length: > 2000 }) throw new QualityRuleException("comment", "comment must be at most 2000 characters.");
        return new QualityScore
        {
            CallId = callId, AgentId = agentId, CallOfferedAt = callOfferedAt,
            Greeting = greeting, Attitude = attitude, Accuracy = accuracy, HoldUsage = holdUsage,
            Total = greeting + attitude + accuracy + holdUsage,
            Comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(),
            ScoredBy = scoredBy, ScoredByRole = scoredByRole, ScoredAt = nowUtc, Current = true,
        };
    }

    /// <summary>A later scoring of the same call replaces this one in the figures.</summary>
    public void Retire() => Current = false;

    private static void Check(string field, int points)
    {
        if (points is < 0 or > QualityCriteria.MaxPoints)
            throw new QualityRuleException(field, $"{field} must be 0 to {QualityCriteria.MaxPoints} points.");
    }
}

/// <summary>
/// A re-draw of an agent's monthly sample, asked for by a supervisor. Without one the month's sample is draw 1; each
/// re-draw takes the next number (who and when are kept).
/// </summary>
public sealed class QualityDraw
{
    public long Id { get; set; }
    /// <summary>The local month, yyyy-MM.</summary>
    public string Month { get; set; } = "";
    public string AgentId { get; set; } = "";
    public int Draw { get; set; }
    public string DrawnBy { get; set; } = "";
    public DateTime DrawnAt { get; set; }
}
