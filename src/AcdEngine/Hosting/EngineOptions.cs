using System.ComponentModel.DataAnnotations;

namespace Hotline.AcdEngine.Hosting;

/// <summary>The engine node (<c>Node:*</c>).</summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>This engine's id, carried on every event; unique among engines sharing Redis.</summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Node:Id must be 1-64 letters, digits, '.', '_' or '-'.")]
    public string Id { get; set; } = Environment.MachineName;
}

/// <summary>The ACD (<c>Acd:*</c>).</summary>
public sealed class AcdOptions
{
    public const string Section = "Acd";

    /// <summary>The number callers dial (<c>Acd:HotlineNumber</c>).</summary>
    [Required, RegularExpression("^[0-9*#+]{1,32}$", ErrorMessage = "Acd:HotlineNumber must be 1-32 dial digits (0-9, *, #, +).")]
    public string HotlineNumber { get; set; } = "12345";

    /// <summary>Default service level: an answer within this many seconds counts as timely (DOMAIN.md: 15 s).</summary>
    [Range(1, 600, ErrorMessage = "Acd:ServiceLevelSeconds must be between 1 and 600.")]
    public int ServiceLevelSeconds { get; set; } = 15;
}

/// <summary>Where TicketApi's gRPC ingest listens (<c>TicketApi:Url</c>).</summary>
public sealed class TicketApiOptions
{
    public const string Section = "TicketApi";

    [Required, Url(ErrorMessage = "TicketApi:Url must be an absolute http(s) URL, e.g. http://127.0.0.1:5001.")]
    public string Url { get; set; } = "http://127.0.0.1:5001";
}
