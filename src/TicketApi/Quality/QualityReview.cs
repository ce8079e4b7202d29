using System.Globalization;
using Hotline.TicketApi.Calendar;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hotline.TicketApi.Quality;

/// <summary>
/// The quality review's reads and writes (issue 17; DOMAIN.md "quality review samples 30 recordings per agent per
/// month"): the month's sample of an agent's recorded calls, re-drawn only on request, and the scores.
/// </summary>
public sealed class QualityReview(TicketDbContext db, WorkingCalendar calendar, IOptions<QualityOptions> options, TimeProvider time)
{
    public sealed record AgentSummary(string AgentId, int AnsweredCalls, int Scored, double? MeanScore, int? AssessmentPoints);
    public sealed record SampledCall(
        string CallId, DateTime? OfferedAt, string? Queue, int TalkMs, int HoldMs, long? OrderId, string? OrderNumber, ScoreView? Score);
    public sealed record Sample(string Month, string AgentId, int Draw, int Size, int RecordedCalls, IReadOnlyList<SampledCall> Calls);
    public sealed record ScoreView(
        long Id, string CallId, string AgentId, DateTime CallOfferedAt, int Greeting, int Attitude, int Accuracy, int HoldUsage,
        int Total, string? Comment, string ScoredBy, string ScoredByRole, DateTime ScoredAt, bool Current)
    {
        public static ScoreView From(QualityScore s) => new(s.Id, s.CallId, s.AgentId, s.CallOfferedAt, s.Greeting, s.Attitude, s.Accuracy,
            s.HoldUsage, s.Total, s.Comment, s.ScoredBy, s.ScoredByRole, s.ScoredAt, s.Current);
    }
    public sealed record AgentScores(string Month, string AgentId, int Scored, double? MeanScore, int? AssessmentPoints, IReadOnlyList<ScoreView> Scores);

    /// <summary>The UTC bounds of a local month "yyyy-MM" (the hotline's time zone), or null when it is not one.</summary>
    public (DateTime From, DateTime To)? MonthBounds(string? month)
    {
        if (month is not { Length: 7 } || !DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
            return null;
        return (calendar.AtLocal(first, TimeOnly.MinValue).UtcDateTime, calendar.AtLocal(first.AddMonths(1), TimeOnly.MinValue).UtcDateTime);
    }

    /// <summary>The current local month, yyyy-MM.</summary>
    public string CurrentMonth() => calendar.ToLocal(time.GetUtcNow()).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>Calls an agent answered in the month that have a recording: what a sample is drawn from.</summary>
    private IQueryable<Calls.CallRecord> Recorded(DateTime from, DateTime to) =>
        db.Calls.AsNoTracking().Where(c => c.OfferedAt >= from && c.OfferedAt < to && c.AgentId != null && c.AnsweredAt != null
            && c.Recording != null && c.Recording != "");

    /// <summary>
    /// The ids of an agent's recorded calls in [from, to): what the sample ranks. Served by the partial index
    /// <c>IX_Calls_QualitySample</c> alone (its filter is <see cref="Recorded"/>'s condition; ~10,000 ids a month at 1 M calls).
    /// </summary>
    internal IQueryable<string> SampleSource(DateTime from, DateTime to, string agentId) =>
        Recorded(from, to).Where(c => c.AgentId == agentId).Select(c => c.CallId);

    private IQueryable<QualityScore> CurrentScores(DateTime from, DateTime to) =>
        db.QualityScores.AsNoTracking().Where(s => s.Current && s.CallOfferedAt >= from && s.CallOfferedAt < to);

    /// <summary>
    /// Every agent who answered calls in the month, with their scores so far. The answered counts come from the hourly
    /// rollups (a month is ~70k rollup rows through their covering index, not a million calls); an hour a local month
    /// shares with the next (a zone not a whole number of hours from UTC) counts in the month it starts in.
    /// </summary>
    public async Task<IReadOnlyList<AgentSummary>> AgentsAsync(string month, CancellationToken ct)
    {
        var (from, to) = MonthBounds(month)!.Value;
        var fromHour = (long)Math.Floor((from - DateTime.UnixEpoch).TotalHours);
        var toHour = (long)Math.Floor((to - DateTime.UnixEpoch).TotalHours);
        var answered = await db.CallHourRollups.AsNoTracking().Where(r => r.Hour >= fromHour && r.Hour < toHour && r.AgentId != "")
            .GroupBy(r => r.AgentId).Select(g => new { g.Key, Count = g.Sum(r => r.Answered) }).ToListAsync(ct);
        var scored = await CurrentScores(from, to).GroupBy(s => s.AgentId).Select(g => new { g.Key, Count = g.Count(), Sum = g.Sum(s => s.Total) }).ToListAsync(ct);
        var agents = answered.Where(a => a.Count > 0).Select(r => r.Key).Union(scored.Select(s => s.Key)).Order(StringComparer.Ordinal);
        return [.. agents.Select(a =>
        {
            var s = scored.FirstOrDefault(x => x.Key == a);
            var mean = s is null || s.Count == 0 ? (double?)null : Math.Round((double)s.Sum / s.Count, 1);
            return new AgentSummary(a, answered.FirstOrDefault(r => r.Key == a)?.Count ?? 0, s?.Count ?? 0, mean,
                mean is { } m ? QualityCriteria.AssessmentPoints(m) : null);
        })];
    }

    /// <summary>The agent's sample of the month: the current draw (1 unless re-drawn), with each call's order and score.</summary>
    public async Task<Sample> SampleAsync(string month, string agentId, CancellationToken ct)
    {
        var (from, to) = MonthBounds(month)!.Value;
        var draw = await db.QualityDraws.AsNoTracking().Where(d => d.Month == month && d.AgentId == agentId).MaxAsync(d => (int?)d.Draw, ct) ?? 1;
        var ids = await SampleSource(from, to, agentId).ToListAsync(ct);
        var size = options.Value.SampleSize;
        var picked = QualitySampler.Pick(ids, month, agentId, draw, size);
        var calls = await db.Calls.AsNoTracking().Where(c => picked.Contains(c.CallId))
            .Select(c => new { c.CallId, c.OfferedAt, c.Queue, c.TalkMs, c.HoldMs }).ToListAsync(ct);
        var orders = await db.WorkOrders.AsNoTracking().Where(o => o.CallId != null && picked.Contains(o.CallId) && o.Kind == WorkOrderKind.Matter)
            .OrderBy(o => o.Id).Select(o => new { o.Id, o.CallId }).ToListAsync(ct);
        var scores = await db.QualityScores.AsNoTracking().Where(s => s.Current && picked.Contains(s.CallId)).ToListAsync(ct);
        var byId = calls.ToDictionary(c => c.CallId, StringComparer.Ordinal);
        return new Sample(month, agentId, draw, size, ids.Count, [.. picked.Select(id =>
        {
            var c = byId[id];
            var order = orders.FirstOrDefault(o => o.CallId == id);
            var score = scores.FirstOrDefault(s => s.CallId == id);
            return new SampledCall(id, c.OfferedAt, c.Queue, c.TalkMs, c.HoldMs, order?.Id, order is null ? null : $"WO{order.Id:D8}",
                score is null ? null : ScoreView.From(score));
        }).OrderBy(c => c.OfferedAt)]);
    }

    /// <summary>Draws the agent's month again (the next draw number); scores already given stay.</summary>
    public async Task<Sample> RedrawAsync(string month, string agentId, string by, CancellationToken ct)
    {
        var draw = await db.QualityDraws.Where(d => d.Month == month && d.AgentId == agentId).MaxAsync(d => (int?)d.Draw, ct) ?? 1;
        db.QualityDraws.Add(new QualityDraw { Month = month, AgentId = agentId, Draw = draw + 1, DrawnBy = by, DrawnAt = time.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(ct);
        return await SampleAsync(month, agentId, ct);
    }

    /// <summary>The call a score is for, if it can be scored: answered by an agent and recorded.</summary>
    public Task<Calls.CallRecord?> ScorableCallAsync(string callId, CancellationToken ct) =>
        db.Calls.AsNoTracking().FirstOrDefaultAsync(c => c.CallId == callId && c.AgentId != null && c.AnsweredAt != null && c.OfferedAt != null
            && c.Recording != null && c.Recording != "", ct);

    /// <summary>Stores a scoring; the call's earlier scoring (if any) is retired in the same save.</summary>
    public async Task<QualityScore> ScoreAsync(Calls.CallRecord call, int greeting, int attitude, int accuracy, int holdUsage, string? comment,
        string by, string role, CancellationToken ct)
    {
        var score = QualityScore.Create(call.CallId, call.AgentId!, call.OfferedAt!.Value, greeting, attitude, accuracy, holdUsage, comment,
            by, role, time.GetUtcNow().UtcDateTime);
        foreach (var earlier in await db.QualityScores.Where(s => s.CallId == call.CallId && s.Current).ToListAsync(ct)) earlier.Retire();
        db.QualityScores.Add(score);
        await db.SaveChangesAsync(ct);
        return score;
    }

    /// <summary>An agent's current scores in the month, newest first.</summary>
    public async Task<AgentScores> ScoresAsync(string month, string agentId, CancellationToken ct)
    {
        var (from, to) = MonthBounds(month)!.Value;
        var scores = await CurrentScores(from, to).Where(s => s.AgentId == agentId).OrderByDescending(s => s.ScoredAt).ThenByDescending(s => s.Id).ToListAsync(ct);
        var mean = scores.Count == 0 ? (double?)null : Math.Round(scores.Average(s => s.Total), 1);
        return new AgentScores(month, agentId, scores.Count, mean, mean is { } m ? QualityCriteria.AssessmentPoints(m) : null,
            [.. scores.Select(ScoreView.From)]);
    }

    /// <summary>Every scoring of a call, newest first (retired ones included): who scored what, when.</summary>
    public async Task<IReadOnlyList<ScoreView>> HistoryAsync(string callId, CancellationToken ct) =>
        [.. (await db.QualityScores.AsNoTracking().Where(s => s.CallId == callId).OrderByDescending(s => s.Id).ToListAsync(ct)).Select(ScoreView.From)];
}
