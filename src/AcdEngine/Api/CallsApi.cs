using Hotline.AcdEngine.Outbound;
using Hotline.AcdEngine.Routing;

namespace Hotline.AcdEngine.Api;

/// <summary>
/// The calls in progress (<c>GET /api/calls/active</c>, supervisors and admins) and an operator's hang-up of any of
/// them (<c>POST /api/calls/{id}/hangup</c>, admins): what the console tool <c>hotlinectl</c> uses (issue 20).
/// Caller numbers are masked (last four digits), as in the logs: the console is an operator's view, not an agent's desk.
/// </summary>
public static partial class CallsApi
{
    public static IEndpointRouteBuilder MapCallsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/calls/active", GetActive).RequireAuthorization(Security.ApiPolicies.Telephony);
        routes.MapPost("/api/calls/{id}/hangup", HangupAsync).RequireAuthorization(Security.ApiPolicies.CallControl);
        return routes;
    }

    internal static IResult GetActive(CallRouter router, OutboundDialer outbound, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var inbound = router.Calls.Select(c => new ActiveCall(
            c.CallId, "inbound", CallerNumber.Mask(c.CallerNumber), c.Queue, c.AgentId ?? "", c.Phase,
            c.QueuedAt is { } queued ? (long)Math.Max(0, (now - queued).TotalSeconds) : null));
        var outgoing = outbound.Calls.Select(c => new ActiveCall(
            c.CallId, "outbound", CallerNumber.Mask(c.Number), c.Queue, c.AgentId, "dialing", null));
        return TypedResults.Ok(inbound.Concat(outgoing).OrderBy(c => c.CallId, StringComparer.Ordinal).ToList());
    }

    internal static async Task<IResult> HangupAsync(
        string id, HttpContext http, CallRouter router, OutboundDialer outbound, ILoggerFactory logs, CancellationToken ct)
    {
        var log = logs.CreateLogger("Hotline.AcdEngine.Api.CallsApi");
        var key = http.User.FindFirst(Security.ApiClaims.KeyName)?.Value;
        if (router.Find(id) is { } flow)
        {
            var (ok, error) = await flow.HangupByOperatorAsync(ct);
            if (ok) LogOperatorHangup(log, id, key);
            return ok ? TypedResults.Ok(new { callId = id, ok }) : Refused(id, flow, error);
        }
        if (outbound.Find(id) is { } call)
        {
            var (ok, error) = await call.HangupByAgentAsync(call.AgentId, ct);
            if (ok) LogOperatorHangup(log, id, key);
            return ok ? TypedResults.Ok(new { callId = id, ok }) : Refused(id, call, error);
        }
        return TypedResults.NotFound(new { callId = id, error = $"No call {id} in progress on this engine." });
    }

    /// <summary>409 while the call lives (its stage forbids it now); 404 once it has ended, as if it had never been found.</summary>
    private static IResult Refused(string id, ICallControl call, string error) => call.HasEnded
        ? TypedResults.NotFound(new { callId = id, error = $"Call {id} has ended; nothing was done." })
        : TypedResults.Conflict(new { callId = id, error });

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} hung up by an operator (API key {KeyName})")]
    private static partial void LogOperatorHangup(ILogger logger, string callId, string? keyName);

    private sealed record ActiveCall(string CallId, string Direction, string Caller, string Queue, string Agent, string Phase, long? WaitSeconds);
}
