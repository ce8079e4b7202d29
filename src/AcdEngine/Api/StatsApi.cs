using Hotline.AcdEngine.Stats;

namespace Hotline.AcdEngine.Api;

/// <summary><c>GET /api/stats</c>: a JSON snapshot of live figures for scripts and the wallboard.</summary>
public static class StatsApi
{
    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/stats", GetStats).RequireAuthorization(Security.ApiPolicies.Figures);
        return routes;
    }

    internal static IResult GetStats(LiveStats stats, RedisMirror redis, Sip.SipAdmission sipAdmission)
    {
        var view = stats.Snapshot();
        return TypedResults.Ok(new
        {
            node = view.NodeId,
            at = view.At,
            redis = redis.Degraded ? "unavailable (figures in memory only)" : "ok",
            queues = view.Queues,
            agents = view.Agents.Select(a => new { a.AgentId, status = a.Status.ToString(), a.Reason, a.Since, a.CallsHandledToday, a.CallId }),
            sip = sipAdmission.Figures(), // Refused floods and failed authentications (issue 14).
        });
    }
}
