using System.ComponentModel.DataAnnotations;

namespace Hotline.TicketApi.Data;

/// <summary>Which database holds work orders (<c>Database:*</c>, <c>ConnectionStrings:Tickets</c>).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>Sqlite</c> (default, a file under the data folder), <c>SqlServer</c> or <c>PostgreSql</c>.</summary>
    [Required, RegularExpression("^(Sqlite|SqlServer|PostgreSql)$", ErrorMessage = "Database:Provider must be 'Sqlite', 'SqlServer' or 'PostgreSql'.")]
    public string Provider { get; set; } = "Sqlite";
}
