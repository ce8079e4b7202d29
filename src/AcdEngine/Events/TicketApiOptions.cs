using System.ComponentModel.DataAnnotations;

namespace Hotline.AcdEngine.Events;

public sealed class TicketApiOptions
{
    public const string Section = "TicketApi";

    [Required, Url(ErrorMessage = "TicketApi:Url must be an absolute http(s) URL, e.g. http://127.0.0.1:5001.")]
    public string Url { get; set; } = "http://127.0.0.1:5001";

    /// <summary>This node's credential toward TicketApi's ingest (<c>Authorization: Bearer</c>); TicketApi holds its hash in <c>Ingest:Nodes</c>.</summary>
    [Required(ErrorMessage = "TicketApi:NodeKey is required: the key TicketApi's Ingest:Nodes knows this node by (docs/security.md)."),
     MinLength(16, ErrorMessage = "TicketApi:NodeKey must be at least 16 characters.")]
    public string NodeKey { get; set; } = "";
}
