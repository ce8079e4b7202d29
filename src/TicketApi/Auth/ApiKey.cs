using System.Security.Cryptography;
using System.Text;

namespace Hotline.TicketApi.Auth;

/// <summary>An API key: stored only as its SHA-256 hash, with its role and (for department staff) department.</summary>
public sealed class ApiKey
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string KeyHash { get; set; } = "";
    public string Role { get; set; } = "";
    public string? DepartmentId { get; set; }
    public DateTime CreatedAt { get; set; }

    public static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new random key (shown once to the admin who creates it).</summary>
    public static string NewSecret() => "hk_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
}
