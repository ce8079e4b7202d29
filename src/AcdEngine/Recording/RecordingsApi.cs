using System.Security.Cryptography;
using System.Text;

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
        app.MapGet("/api/recordings/{id}", Get).WithTags("Recordings");
        return app;
    }

    private static IResult Get(string id, HttpContext http, CallRecordings recordings, ServiceKeys keys, ILoggerFactory logs)
    {
        switch (keys.Check(http.Request.Headers.Authorization.ToString()))
        {
            case ServiceKeys.Outcome.Unauthenticated:
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Results.Problem(statusCode: 401, title: "Unauthenticated", detail: "Send Authorization: Bearer <key> (Api:Keys).");
            case ServiceKeys.Outcome.Forbidden:
                return Results.Problem(statusCode: 403, title: "Forbidden", detail: "Recordings are served to the Service role only (TicketApi).");
        }
        var callId = id.StartsWith("rec:", StringComparison.Ordinal) ? id[4..] : id;
        // A call id names a file: letters, digits and '-' only, so nothing can reach outside the recordings folder.
        if (callId.Length is 0 or > 64 || !callId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            return Results.Problem(statusCode: 400, title: "Bad recording id", detail: "A recording id is rec:<callId>.");
        var file = recordings.Find(callId);
        if (file is null) return Results.Problem(statusCode: 404, title: "No such recording", detail: $"No recording of call {callId} (never recorded, or past retention).");
        LogServed(logs.CreateLogger(typeof(RecordingsApi)), callId, http.Request.Headers.Range.ToString());
        return Results.File(file, "audio/wav", enableRangeProcessing: true);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recording of call {CallId} served (range {Range})")]
    private static partial void LogServed(ILogger logger, string callId, string range);
}

/// <summary>
/// COMMON.md identity contract, the part this endpoint needs: <c>Api:Keys</c> entries (<c>Name</c>, <c>Role</c>,
/// <c>Sha256</c> hex of the key); a bearer key is matched by its SHA-256. The trust-boundaries work adds the same check
/// to every /api route; this endpoint then keeps only its role rule (Service).
/// </summary>
public sealed class ServiceKeys(IConfiguration configuration)
{
    public enum Outcome { Allowed, Unauthenticated, Forbidden }

    private sealed class Entry
    {
        public string Name { get; set; } = "";
        public string Role { get; set; } = "";
        public string Sha256 { get; set; } = "";
    }

    private readonly List<Entry> _keys = configuration.GetSection("Api:Keys").Get<List<Entry>>() ?? [];

    public Outcome Check(string authorization)
    {
        const string Scheme = "Bearer ";
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length == Scheme.Length)
            return Outcome.Unauthenticated;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[Scheme.Length..].Trim()));
        foreach (var k in _keys)
        {
            byte[] expected;
            try
            {
                expected = Convert.FromHexString(k.Sha256);
            }
            catch (FormatException)
            {
                continue;
            }
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
                return string.Equals(k.Role, "Service", StringComparison.OrdinalIgnoreCase) ? Outcome.Allowed : Outcome.Forbidden;
        }
        return Outcome.Unauthenticated;
    }
}
