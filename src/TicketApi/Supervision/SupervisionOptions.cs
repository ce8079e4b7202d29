using System.ComponentModel.DataAnnotations;

namespace Hotline.TicketApi.Supervision;

/// <summary>The automatic overdue sweep (<c>Supervision:*</c>), DOMAIN.md step 8.</summary>
public sealed class SupervisionOptions
{
    public const string Section = "Supervision";

    /// <summary>Seconds between sweeps (the test clock also triggers one each time it moves).</summary>
    [Range(5, 3600, ErrorMessage = "Supervision:SweepSeconds must be 5 to 3600.")]
    public int SweepSeconds { get; set; } = 60;
}
