using Hotline.TicketApi.Api;
using Hotline.TicketApi.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hotline.TicketApi.Testing;

/// <summary>
/// <c>/api/testing/clock</c>, admin only, mapped only with <c>Testing:Clock=Manual</c> (otherwise the path is a 404):
/// GET reads the clock, POST <c>{"set": "2026-12-01T09:00:00Z"}</c> or <c>{"advance": "3.00:00:00"}</c> moves it.
/// </summary>
public static class TestingClockApi
{
    public sealed record ClockRequest(DateTimeOffset? Set, TimeSpan? Advance);
    public sealed record ClockView(DateTimeOffset UtcNow);

    public static void MapTestingClockApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/testing/clock").WithTags("Testing").RequireAuthorization(Policies.Admin);
        group.MapGet("/", (ManualClock clock) => TypedResults.Ok(new ClockView(clock.GetUtcNow())));
        group.MapPost("/", Move);
    }

    private static Results<Ok<ClockView>, ValidationProblem> Move(ClockRequest request, ManualClock clock, ILogger<ManualClock> log)
    {
        var v = new Validation();
        if (request.Set is null == request.Advance is null) v.Add("set", "Give exactly one of set (an instant) or advance (a duration).");
        if (request.Set is { } at && at < clock.GetUtcNow()) v.Add("set", $"The test clock does not go back: it is {clock.GetUtcNow():O}.");
        if (request.Advance is { } by && by < TimeSpan.Zero) v.Add("advance", "advance must not be negative.");
        if (v.HasErrors) return v.Problem();
        var now = request.Set is { } s ? clock.Set(s) : clock.Advance(request.Advance!.Value);
        log.LogWarning("Test clock moved to {UtcNow:O}", now);
        return TypedResults.Ok(new ClockView(now));
    }
}
