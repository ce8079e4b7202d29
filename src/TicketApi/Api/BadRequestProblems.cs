using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Hotline.TicketApi.Api;

/// <summary>
/// Turns an unreadable body or parameter (bad JSON, unknown enum name, wrong type) into a 400
/// <c>application/problem+json</c> that names the field, instead of an empty 400.
/// </summary>
public sealed class BadRequestProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad) return false;
        var json = bad.InnerException as JsonException;
        var field = json?.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : "body";
        var detail = json is not null
            ? $"The field '{field}' has an invalid value."
            : bad.Message;
        httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status400BadRequest, Title = "The request has invalid fields.", Detail = detail,
                Extensions = { ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } },
            },
        });
    }
}
