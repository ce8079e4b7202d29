using System.ComponentModel.DataAnnotations;

namespace Hotline.TicketApi.Intake;

/// <summary>The other channels (<c>Intake:*</c>, DOMAIN.md "Channels"): the public web form and the SMS gateway.</summary>
public sealed class IntakeOptions : IValidatableObject
{
    public const string Section = "Intake";

    /// <summary>The public web form (<c>/report</c>, <c>POST /api/public/orders</c>) is on unless set false.</summary>
    public bool WebFormEnabled { get; set; } = true;

    /// <summary>Web-form submissions allowed per client address per hour (a per-address limit; 429 beyond it).</summary>
    [Range(1, 10_000, ErrorMessage = "Intake:WebFormPerAddressPerHour must be 1 to 10000.")]
    public int WebFormPerAddressPerHour { get; set; } = 5;

    /// <summary>Leading zero bits the proof-of-work must reach (≈2^bits SHA-256 hashes in the browser; 18 ≈ 1–3 s).</summary>
    [Range(1, 28, ErrorMessage = "Intake:ProofOfWorkBits must be 1 to 28.")]
    public int ProofOfWorkBits { get; set; } = 18;

    /// <summary>Hex SHA-256 of the SMS gateway's key (<c>Authorization: Bearer &lt;key&gt;</c>); empty: the webhook refuses every request.</summary>
    public string SmsGatewayKeySha256 { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SmsGatewayKeySha256.Length > 0 && (SmsGatewayKeySha256.Length != 64 || !SmsGatewayKeySha256.All(Uri.IsHexDigit)))
            yield return new ValidationResult("Intake:SmsGatewayKeySha256 must be 64 hex digits (SHA-256 of the gateway's key).", [nameof(SmsGatewayKeySha256)]);
    }
}
