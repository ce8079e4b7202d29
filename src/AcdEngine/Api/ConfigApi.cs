using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Reload;

namespace Hotline.AcdEngine.Api;

/// <summary>
/// <c>POST /api/config/reload</c> (admins; <c>hotlinectl reload</c>, issue 20): re-reads the configuration and applies
/// queues, agents, departments and prompts live. 200 with what changed and what needs a restart; 422 with the failures
/// (each naming its key) when the new configuration would not start the engine, in which case nothing changed.
/// </summary>
public static class ConfigApi
{
    public static IEndpointRouteBuilder MapConfigApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/config/reload", Reload).RequireAuthorization(Security.ApiPolicies.Configuration);
        return routes;
    }

    internal static IResult Reload(HttpContext http, ConfigurationReload reload)
    {
        var outcome = reload.Reload(http.User.FindFirst(Security.ApiClaims.KeyName)?.Value);
        if (!outcome.Applied)
        {
            return TypedResults.UnprocessableEntity(new
            {
                applied = false,
                error = "configuration refused, the running one is kept: " + string.Join("; ", outcome.Failures),
                failures = outcome.Failures,
            });
        }
        return TypedResults.Ok(new
        {
            applied = true,
            changed = outcome.Changed.Select(c => new { c.Key, c.From, c.To }),
            needsRestart = outcome.NeedsRestart,
            agents = outcome.Agents,
            queues = outcome.Queues,
        });
    }
}
