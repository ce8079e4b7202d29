using Hotline.TicketApi.Data;
using System.Security.Claims;
using Hotline.TicketApi.Api;
using Hotline.TicketApi.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hotline.TicketApi.Quality;

/// <summary>
/// <c>/api/quality</c> (issue 17): supervisors see each agent's monthly sample, re-draw it on request, and score its
/// recordings; an agent reads only their own scores. Departments have no part in it.
/// </summary>
public static partial class QualityApi
{
    public sealed record RedrawBody(string? Month, string? AgentId);
    public sealed record ScoreBody(string? CallId, int? Greeting, int? Attitude, int? Accuracy, int? HoldUsage, string? Comment);

    public static IServiceCollection AddQuality(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<QualityOptions>().Bind(configuration.GetSection(QualityOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<QualityReview>();
        return services;
    }

    public static void MapQualityApi(this IEndpointRouteBuilder app)
    {
        var quality = app.MapGroup("/api/quality").WithTags("Quality").RequireAuthorization(Policies.Hotline);
        quality.MapGet("/agents", AgentsAsync).RequireAuthorization(Policies.Supervisor);
        quality.MapGet("/sample", SampleAsync).RequireAuthorization(Policies.Supervisor);
        quality.MapPost("/sample/redraw", RedrawAsync).RequireAuthorization(Policies.Supervisor);
        quality.MapPost("/scores", ScoreAsync).RequireAuthorization(Policies.Supervisor);
        quality.MapGet("/calls/{callId}/scores", HistoryAsync).RequireAuthorization(Policies.Supervisor);
        // Agents too: their own scores only (the desk shows them).
        quality.MapGet("/scores", ScoresAsync);
    }

    private static bool Month(QualityReview review, ref string? month, Validation v)
    {
        month = string.IsNullOrEmpty(month) ? review.CurrentMonth() : month;
        if (review.MonthBounds(month) is not null) return true;
        v.Add("month", "month must be yyyy-MM.");
        return false;
    }

    private static void AgentId(string? agentId, Validation v)
    {
        if (string.IsNullOrEmpty(agentId)) v.Add("agentId", "agentId is required.");
        else if (!AgentIds.IsValid(agentId)) v.Add("agentId", "agentId must be 1 to 64 letters, digits, '-', '_' or '.'.");
    }

    private static async Task<Results<Ok<IReadOnlyList<QualityReview.AgentSummary>>, ValidationProblem>> AgentsAsync(
        QualityReview review, CancellationToken ct, string? month = null)
    {
        var v = new Validation();
        if (!Month(review, ref month, v)) return v.Problem();
        return TypedResults.Ok(await review.AgentsAsync(month!, ct));
    }

    private static async Task<Results<Ok<QualityReview.Sample>, ValidationProblem>> SampleAsync(
        QualityReview review, CancellationToken ct, string? month = null, string? agentId = null)
    {
        var v = new Validation();
        Month(review, ref month, v);
        AgentId(agentId, v);
        if (v.HasErrors) return v.Problem();
        return TypedResults.Ok(await review.SampleAsync(month!, agentId!, ct));
    }

    private static async Task<Results<Ok<QualityReview.Sample>, ValidationProblem>> RedrawAsync(
        RedrawBody body, QualityReview review, ClaimsPrincipal user, ILoggerFactory logs, CancellationToken ct)
    {
        var v = new Validation();
        var month = body.Month;
        if (string.IsNullOrEmpty(month)) v.Add("month", "month is required (yyyy-MM).");
        else Month(review, ref month, v);
        AgentId(body.AgentId, v);
        if (v.HasErrors) return v.Problem();
        var by = user.ToActor().Id;
        var sample = await review.RedrawAsync(month!, body.AgentId!, by, ct);
        LogRedrawn(logs.CreateLogger(typeof(QualityApi)), body.AgentId!, month!, sample.Draw, by);
        return TypedResults.Ok(sample);
    }

    private static async Task<Results<Created<QualityReview.ScoreView>, ValidationProblem>> ScoreAsync(
        ScoreBody body, QualityReview review, ClaimsPrincipal user, ILoggerFactory logs, CancellationToken ct)
    {
        var v = new Validation();
        v.Require(body.CallId, "callId", 64);
        Points(body.Greeting, "greeting", v);
        Points(body.Attitude, "attitude", v);
        Points(body.Accuracy, "accuracy", v);
        Points(body.HoldUsage, "holdUsage", v);
        v.MaxLength(body.Comment, "comment", 2000);
        if (v.HasErrors) return v.Problem();
        var call = await review.ScorableCallAsync(body.CallId!, ct);
        if (call is null)
        {
            v.Add("callId", $"call '{body.CallId}' is not a recorded call answered by an agent.");
            return v.Problem();
        }
        var actor = user.ToActor();
        try
        {
            var score = await review.ScoreAsync(call, body.Greeting!.Value, body.Attitude!.Value, body.Accuracy!.Value, body.HoldUsage!.Value,
                body.Comment, actor.Id, actor.Role, ct);
            LogScored(logs.CreateLogger(typeof(QualityApi)), score.CallId, score.AgentId, score.Total, actor.Id);
            return TypedResults.Created($"/api/quality/calls/{Uri.EscapeDataString(score.CallId)}/scores", QualityReview.ScoreView.From(score));
        }
        catch (QualityRuleException ex)
        {
            v.Add(ex.Field, ex.Message);
            return v.Problem();
        }
    }

    private static void Points(int? points, string field, Validation v)
    {
        if (points is null) v.Add(field, $"{field} is required: 0 to {QualityCriteria.MaxPoints} points.");
        else if (points is < 0 or > QualityCriteria.MaxPoints) v.Add(field, $"{field} must be 0 to {QualityCriteria.MaxPoints} points.");
    }

    private static async Task<Ok<IReadOnlyList<QualityReview.ScoreView>>> HistoryAsync(string callId, QualityReview review, CancellationToken ct) =>
        TypedResults.Ok(await review.HistoryAsync(callId, ct));

    /// <summary>An agent key reads its own agent's scores and no one else's; supervisors and admins name the agent.</summary>
    private static async Task<Results<Ok<QualityReview.AgentScores>, ValidationProblem, ProblemHttpResult>> ScoresAsync(
        QualityReview review, ClaimsPrincipal user, CancellationToken ct, string? month = null, string? agentId = null)
    {
        var v = new Validation();
        Month(review, ref month, v);
        if (user.IsInRole(Roles.Agent))
        {
            if (user.AgentIdOf() is not { } own)
                return TypedResults.Problem(statusCode: 403, title: "No agent for this key", detail: "This key is not bound to an agent: it has no quality scores.");
            if (!string.IsNullOrEmpty(agentId) && agentId != own)
                return TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: "An agent sees only their own quality scores.");
            agentId = own;
        }
        else
        {
            AgentId(agentId, v);
        }
        if (v.HasErrors) return v.Problem();
        return TypedResults.Ok(await review.ScoresAsync(month!, agentId!, ct));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Quality sample of agent {AgentId} for {Month} re-drawn (draw {Draw}) by {By}")]
    private static partial void LogRedrawn(ILogger logger, string agentId, string month, int draw, string by);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} of agent {AgentId} scored {Total} by {By}")]
    private static partial void LogScored(ILogger logger, string callId, string agentId, int total, string by);
}
