using System.Net.Http.Headers;
using Hotline.TicketApi.WebConsole;
using Microsoft.Extensions.Options;
using Hotline.TicketApi.Engine;

namespace Hotline.TicketApi.Recordings;

/// <summary>
/// Streams a recording from the engine that holds it (<c>GET {AcdEngine:HttpUrl}/api/recordings/rec:&lt;callId&gt;</c>, with the
/// Service key) to the browser, passing the <c>Range</c> request header and the range answer (206, <c>Content-Range</c>,
/// <c>Accept-Ranges</c>) through, so that an <c>&lt;audio&gt;</c> element seeks (RFC 9110 §14).
/// </summary>
public sealed class RecordingProxy(IOptions<AcdEngineOptions> options) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public async Task ProxyAsync(HttpContext context, string callId)
    {
        var engine = options.Value;
        if (string.IsNullOrEmpty(engine.HttpUrl))
        {
            await Results.Problem(statusCode: 503, title: "Recordings unavailable", detail: "AcdEngine:HttpUrl is not configured.").ExecuteAsync(context);
            return;
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(engine.HttpUrl), "/api/recordings/" + Uri.EscapeDataString(RecordingAccess.IdOf(callId))));
        if (!string.IsNullOrEmpty(engine.ServiceKey)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", engine.ServiceKey);
        if (context.Request.Headers.Range.ToString() is { Length: > 0 } range) request.Headers.TryAddWithoutValidation("Range", range);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException ex)
        {
            await Results.Problem(statusCode: 503, title: "AcdEngine away", detail: "The engine holding the recordings cannot be reached: " + ex.Message).ExecuteAsync(context);
            return;
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is 401 or 403)
            {
                await Results.Problem(statusCode: 502, title: "The engine refused TicketApi",
                    detail: "The engine refused TicketApi's credential for recordings (AcdEngine:ServiceKey).").ExecuteAsync(context);
                return;
            }
            if (status == 404)
            {
                await Results.Problem(statusCode: 404, title: "No recording", detail: $"The engine has no recording of call {callId} (never recorded, or past retention).").ExecuteAsync(context);
                return;
            }
            context.Response.StatusCode = status;
            var content = response.Content.Headers;
            if (content.ContentType is { } type) context.Response.ContentType = type.ToString();
            if (content.ContentLength is long length) context.Response.ContentLength = length;
            if (content.ContentRange is { } contentRange) context.Response.Headers.ContentRange = contentRange.ToString();
            if (response.Headers.AcceptRanges.Count > 0) context.Response.Headers.AcceptRanges = response.Headers.AcceptRanges.ToString();
            context.Response.Headers.CacheControl = "private, no-store";
            await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            try
            {
                await body.CopyToAsync(context.Response.Body, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The player went away (it does when it seeks).
            }
        }
    }

    public void Dispose() => _http.Dispose();
}
