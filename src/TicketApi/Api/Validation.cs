using Microsoft.AspNetCore.Http.HttpResults;

namespace Hotline.TicketApi.Api;

/// <summary>Collects validation errors by field; answered as an <c>application/problem+json</c> naming each field.</summary>
public sealed class Validation
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool HasErrors => _errors.Count > 0;

    public void Add(string field, string message) =>
        _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

    public void Require(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) Add(field, $"{field} is required.");
        else if (value.Length > maxLength) Add(field, $"{field} must be at most {maxLength} characters.");
    }

    public void MaxLength(string? value, string field, int maxLength)
    {
        if (value is not null && value.Length > maxLength) Add(field, $"{field} must be at most {maxLength} characters.");
    }

    public ValidationProblem Problem() => TypedResults.ValidationProblem(_errors, title: "The request has invalid fields.");
}
