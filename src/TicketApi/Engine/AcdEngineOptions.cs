using System.ComponentModel.DataAnnotations;

namespace Hotline.TicketApi.Engine;

/// <summary><c>AcdEngine:*</c>: where the wallboard's live figures come from (the engine's CTI gRPC endpoint).</summary>
public sealed class AcdEngineOptions : IValidatableObject
{
    public const string Section = "AcdEngine";

    /// <summary>The engine's gRPC endpoint (h2c), e.g. <c>http://127.0.0.1:5081</c>; empty: no live figures.</summary>
    public string? Url { get; set; }

    /// <summary>
    /// TicketApi's own credential toward the engine's CTI (a <c>Service</c> key in the engine's <c>Api:Keys</c>): sent as
    /// <c>Authorization: Bearer</c>, with <c>x-hotline-act-as</c> naming the user a request is for.
    /// </summary>
    public string ServiceKey { get; set; } = "";

    /// <summary>Longest pause between reconnection attempts when the engine is away.</summary>
    [Range(1, 300)]
    public int ReconnectMaxSeconds { get; set; } = 10;

    /// <summary>The engine's HTTP API (recordings), e.g. <c>http://127.0.0.1:5080</c>; empty: recordings cannot be played.</summary>
    public string? HttpUrl { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(Url)
            && !(Uri.TryCreate(Url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
            yield return new ValidationResult($"AcdEngine:Url must be an absolute http:// or https:// URL (or empty for no live figures), not '{Url}'.", [nameof(Url)]);
        if (!string.IsNullOrEmpty(Url) && ServiceKey.Length < 16)
            yield return new ValidationResult("AcdEngine:ServiceKey is required (at least 16 characters) when AcdEngine:Url is set: the engine's Api:Keys holds its hash as a Service key.", [nameof(ServiceKey)]);
        if (!string.IsNullOrEmpty(HttpUrl)
            && !(Uri.TryCreate(HttpUrl, UriKind.Absolute, out var http) && (http.Scheme == Uri.UriSchemeHttp || http.Scheme == Uri.UriSchemeHttps)))
            yield return new ValidationResult($"AcdEngine:HttpUrl must be an absolute http:// or https:// URL (or empty), not '{HttpUrl}'.", [nameof(HttpUrl)]);
    }
}
