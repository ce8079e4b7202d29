using System.ComponentModel.DataAnnotations;

namespace Hotline.TicketApi.Hosting;

/// <summary>Which database holds work orders (<c>Database:*</c>, <c>ConnectionStrings:Tickets</c>).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>Sqlite</c> (default, a file under the data folder), <c>SqlServer</c> or <c>PostgreSql</c>.</summary>
    [Required, RegularExpression("^(Sqlite|SqlServer|PostgreSql)$", ErrorMessage = "Database:Provider must be 'Sqlite', 'SqlServer' or 'PostgreSql'.")]
    public string Provider { get; set; } = "Sqlite";
}

/// <summary>API keys (<c>Auth:*</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>An admin key that exists from the first start, so the first users can be created.</summary>
    [Required, MinLength(16, ErrorMessage = "Auth:BootstrapAdminKey must be at least 16 characters.")]
    public string BootstrapAdminKey { get; set; } = "";
}
