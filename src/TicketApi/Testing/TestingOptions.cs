using System.ComponentModel.DataAnnotations;

namespace Hotline.TicketApi.Testing;

/// <summary>Test-only switches (<c>Testing:*</c>); off unless configured.</summary>
public sealed class TestingOptions
{
    public const string Section = "Testing";

    /// <summary>
    /// <c>System</c> (default): the real clock. <c>Manual</c>: a clock that stands still until an admin sets or advances
    /// it through <c>/api/testing/clock</c>, so a rehearsal or a test can show a reply going overdue. Never in production.
    /// </summary>
    [Required, RegularExpression("^(System|Manual)$", ErrorMessage = "Testing:Clock must be 'System' or 'Manual'.")]
    public string Clock { get; set; } = "System";

    public bool ManualClock => string.Equals(Clock, "Manual", StringComparison.Ordinal);
}
