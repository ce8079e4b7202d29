namespace Hotline.TicketApi.Security;

/// <summary>
/// Headers on every response: no framing (clickjacking), no MIME sniffing, no referrer, and a Content-Security-Policy
/// that allows nothing for API answers. Console pages replace the CSP with their own, which allows exactly their inlined
/// scripts and styles by hash (<see cref="WebConsole.PageInliner"/>) — never <c>'unsafe-inline'</c>.
/// </summary>
public static class SecurityHeaders
{
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>The policy of a console page whose inline blocks have these <c>'sha256-…'</c> sources.</summary>
    /// <remarks>
    /// <c>media-src 'self'</c>: the order page plays a call's recording from <c>/api/recordings/play/…</c> in an
    /// <c>&lt;audio&gt;</c> element; under <c>default-src 'none'</c> alone Chromium refuses the load ("Media load rejected
    /// by URL safety check") and the player never starts.
    /// </remarks>
    public static string PagePolicy(IEnumerable<string> scriptHashes, IEnumerable<string> styleHashes) =>
        "default-src 'none'; script-src 'self' " + string.Join(' ', scriptHashes) + "; style-src 'self' " + string.Join(' ', styleHashes)
        + "; img-src 'self' data:; media-src 'self'; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            if (!headers.ContainsKey("Content-Security-Policy")) headers.ContentSecurityPolicy = ApiPolicy;
            return Task.CompletedTask;
        });
        return next(context);
    });
}
