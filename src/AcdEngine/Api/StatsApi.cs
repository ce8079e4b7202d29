using Hotline.AcdEngine.Hosting;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Api;

/// <summary><c>GET /api/stats</c>: a JSON snapshot of live figures for scripts and the wallboard.</summary>
public static class StatsApi
{
    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/stats", GetStats);
        return routes;
    }

    internal static IResult GetStats(IOptions<NodeOptions> node, TimeProvider time) =>
        TypedResults.Ok(new { node = node.Value.Id, at = time.GetUtcNow(), queues = Array.Empty<object>(), agents = Array.Empty<object>() });
}
