using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Hotline.TicketApi.Security;

/// <summary>The engine nodes allowed to publish call events (<c>Ingest:Nodes</c>), each by the SHA-256 of its key.</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    public List<IngestNode> Nodes { get; set; } = [];

    /// <summary>The node whose key this is (engine config <c>TicketApi:NodeKey</c>); null for any other key.</summary>
    public IngestNode? Find(string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        IngestNode? found = null;
        foreach (var n in Nodes)
            if (n.Sha256.Length == 64 && CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(n.Sha256))) found = n;
        return found;
    }
}

/// <summary>One engine node: <c>{ NodeId, Sha256 }</c>.</summary>
public sealed class IngestNode
{
    public string NodeId { get; set; } = "";
    public string Sha256 { get; set; } = "";
}

public sealed partial class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        var failures = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Nodes.Count; i++)
        {
            var n = options.Nodes[i];
            if (!NodeId().IsMatch(n.NodeId ?? "")) failures.Add($"Ingest:Nodes:{i}:NodeId must be the engine's Node:Id (1-64 letters, digits, '.', '_', '-').");
            else if (!ids.Add(n.NodeId!)) failures.Add($"Ingest:Nodes:{i}:NodeId '{n.NodeId}' appears twice.");
            if (!Hex64().IsMatch(n.Sha256 ?? "")) failures.Add($"Ingest:Nodes:{i}:Sha256 must be the 64 hex digits of the node key's SHA-256.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NodeId();

    [GeneratedRegex("^[0-9A-Fa-f]{64}$")]
    private static partial Regex Hex64();
}
