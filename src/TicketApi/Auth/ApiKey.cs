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
    /// <summary>For an agent key: the one engine agent id (Agents[].Id) it acts as on the desk (issue 17).</summary>
    public string? AgentId { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Who created it (the admin key's name), for the audit.</summary>
    public string? CreatedBy { get; set; }
    /// <summary>Set when an admin revokes the key: from then on it authenticates nobody.</summary>
    public DateTime? RevokedAt { get; set; }
    /// <summary>Who revoked it (the admin key's name).</summary>
    public string? RevokedBy { get; set; }
    public string? RevokedReason { get; set; }

    public static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new random key (shown once to the admin who creates it).</summary>
    public static string NewSecret() => "hk_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
}
