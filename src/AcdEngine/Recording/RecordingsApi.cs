
namespace Hotline.AcdEngine.Recording;

/// <summary>
/// <c>GET /api/recordings/{id}</c> (issue 17): the engine holds the recordings, so it serves them — to TicketApi only (the
/// Service role of COMMON.md's identity contract, <c>Authorization: Bearer</c>), which authorises each listener per role
/// and proxies. HTTP range requests (RFC 9110 §14) so that a browser's <c>&lt;audio&gt;</c> can seek. The id is the
/// contract's <c>rec:&lt;callId&gt;</c>, never a path.
/// </summary>
public static partial class RecordingsApi
{
    public static IEndpointRouteBuilder MapRecordingsApi(this IEndpointRouteBuilder app)
    {
        // Recordings go to TicketApi only (the Service role), which authorises each listener and audits the listen.
        app.MapGet("/api/recordings/{id}", Get).WithTags("Recordings").RequireAuthorization(Security.ApiPolicies.Recordings);
        return app;
    }

    private static IResult Get(string id, HttpContext http, CallRecordings recordings, ILoggerFactory logs)
    {
        var callId = id.StartsWith("rec:", StringComparison.Ordinal) ? id[4..] : id;
        // A call id names a file: letters, digits and '-' only, so nothing can reach outside the recordings folder.
        if (callId.Length is 0 or > 64 || !callId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            return Results.Problem(statusCode: 400, title: "Bad recording id", detail: "A recording id is rec:<callId>.");
        var file = recordings.Find(RecordingFile.IdPrefix + callId);
        if (file is null) return Results.Problem(statusCode: 404, title: "No such recording", detail: $"No recording of call {callId} (never recorded, or past retention).");
        LogServed(logs.CreateLogger(typeof(RecordingsApi)), callId, http.Request.Headers.Range.ToString());
        return Results.File(file, "audio/wav", enableRangeProcessing: true);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recording of call {CallId} served (range {Range})")]
    private static partial void LogServed(ILogger logger, string callId, string range);
}
