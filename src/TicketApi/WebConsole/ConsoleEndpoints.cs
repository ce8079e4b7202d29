using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using Hotline.TicketApi.Api;
using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Calendar;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Desk;
using Hotline.TicketApi.Recordings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Hotline.TicketApi.Engine;

namespace Hotline.TicketApi.WebConsole;

/// <summary>
/// The web console (issue 9): static pages under <c>wwwroot/console</c> that call the REST API with the signed-in key,
/// plus three small read endpoints the REST API lacks (who am I, the catalogue, a local month's UTC bounds) and the wallboard's
/// server-sent-event stream.
/// </summary>
public static class ConsoleEndpoints
{
    private static readonly string[] Pages = ["/", "/wallboard", "/orders", "/orders/{id:long}", "/reports", "/desk", "/quality"];

    public static IServiceCollection AddConsole(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AcdEngineOptions>().Bind(configuration.GetSection(AcdEngineOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LiveFigures>();
        services.AddHostedService<LiveFiguresFeed>();
        services.AddDesk(configuration);
        services.AddRecordings();
        return services;
    }

    public static WebApplication MapConsole(this WebApplication app)
    {
        // Assets are plain files: cached briefly, no build step, nothing from outside.
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "public, max-age=300",
        });
        var pages = app.Environment.WebRootFileProvider;
        foreach (var route in Pages)
        {
            var file = route switch
            {
                "/" => "signin.html",
                "/orders/{id:long}" => "order.html",
                _ => route.TrimStart('/') + ".html",
            };
            app.MapGet(route, (HttpContext context) => Page(context, pages, file)).ExcludeFromDescription();
        }
        // The citizens' web form (no key): inlined like the console pages, so its CSP allows exactly its own script.
        app.MapGet("/public/report.html", (HttpContext context) => Page(context, pages, "report.html", "public/")).ExcludeFromDescription();

        var api = app.MapGroup("/console/api").WithTags("Console").RequireAuthorization(Policies.AnyRole);
        api.MapGet("/me", Me);
        api.MapGet("/month", Month).RequireAuthorization(Policies.Hotline);
        api.MapGet("/catalogue", Catalogue);
        api.MapGet("/live", LiveAsync).RequireAuthorization(Policies.Hotline);
        app.MapDeskApi();
        app.MapRecordingsApi();
        return app;
    }

    private static readonly ConcurrentDictionary<string, PageInliner.Inlined?> Inlined = new(StringComparer.Ordinal);

    // A page arrives whole: its stylesheet and scripts are inlined into the HTML (read once, kept in memory), so a
    // first visit costs one request before the page's own API calls, not three or four more round trips for assets.
    // Its CSP allows those inline blocks by hash and nothing else.
    private static IResult Page(HttpContext context, IFileProvider files, string name, string folder = "console/")
    {
        var page = Inlined.GetOrAdd(folder + name, path => PageInliner.InlineWithPolicy(files, path));
        if (page is null) return Results.NotFound();
        context.Response.Headers.ContentSecurityPolicy = name == "desk.html" ? DeskPolicy(context, page.ContentSecurityPolicy) : page.ContentSecurityPolicy;
        return Results.Content(page.Html, "text/html; charset=utf-8");
    }

    /// <summary>The desk's phone opens a WebSocket to the engine (issue 18): its origin, and only it, joins <c>connect-src</c>.</summary>
    private static string DeskPolicy(HttpContext context, string policy)
    {
        var phone = context.RequestServices.GetRequiredService<IOptions<DeskOptions>>().Value.Phone;
        return phone.Enabled ? policy.Replace("connect-src 'self'", "connect-src 'self' " + phone.Origin, StringComparison.Ordinal) : policy;
    }

    /// <summary>The signed-in key's name, role and department, and the hotline's time zone (pages show local times in it).</summary>
    public sealed record MeView(string Name, string Role, string? DepartmentId, string TimeZone, string? AgentId);

    private static Ok<MeView> Me(ClaimsPrincipal user, WorkingCalendar calendar)
    {
        var actor = user.ToActor();
        return TypedResults.Ok(new MeView(actor.Id, actor.Role, actor.DepartmentId, calendar.Zone.Id, user.AgentIdOf()));
    }

    public sealed record NatureView(string Code, string Name, bool ConfidentialReporter);

    public sealed record CatalogueView(IReadOnlyList<NatureView> Natures, IReadOnlyList<string> Categories);

    /// <summary>Natures and categories (<c>Catalogue:*</c>) for the desk's nature filter and "New order" form.</summary>
    private static Ok<CatalogueView> Catalogue(IOptions<CatalogueOptions> catalogue) =>
        TypedResults.Ok(new CatalogueView(
            [.. catalogue.Value.Natures.Select(n => new NatureView(n.Code, n.Name, n.ConfidentialReporter))], catalogue.Value.Categories));

    public sealed record MonthView(string Month, DateTime From, DateTime To, string TimeZone);

    /// <summary>The UTC bounds of a local calendar month (the hotline's time zone), for <c>/api/metrics</c>.</summary>
    private static Results<Ok<MonthView>, ValidationProblem> Month(WorkingCalendar calendar, TimeProvider time, string? month = null)
    {
        DateOnly first;
        if (string.IsNullOrEmpty(month))
        {
            var now = calendar.ToLocal(time.GetUtcNow());
            first = new DateOnly(now.Year, now.Month, 1);
        }
        else if (!DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out first))
        {
            var v = new Validation();
            v.Add("month", "month must be yyyy-MM.");
            return v.Problem();
        }
        return TypedResults.Ok(new MonthView(first.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            calendar.AtLocal(first, TimeOnly.MinValue).UtcDateTime, calendar.AtLocal(first.AddMonths(1), TimeOnly.MinValue).UtcDateTime,
            calendar.Zone.Id));
    }

    /// <summary>Server-sent events: one <c>data:</c> line per live-figures message (see <see cref="LiveMessage"/>).</summary>
    private static async Task LiveAsync(HttpContext context, LiveFigures figures)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(context.RequestAborted);
        try
        {
            await foreach (var message in figures.WatchAsync(context.RequestAborted))
            {
                await response.WriteAsync("data: " + message + "\n\n", context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The browser went away.
        }
    }
}
