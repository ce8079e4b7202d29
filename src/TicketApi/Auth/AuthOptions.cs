using System.ComponentModel.DataAnnotations;

namespace Hotline.TicketApi.Auth;

/// <summary>API keys (<c>Auth:*</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>An admin key that exists from the first start, so the first users can be created.</summary>
    [Required, MinLength(16, ErrorMessage = "Auth:BootstrapAdminKey must be at least 16 characters.")]
    public string BootstrapAdminKey { get; set; } = "";
}
