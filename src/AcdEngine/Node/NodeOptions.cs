using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Node;

public sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>This engine's id, carried on every event; unique among engines sharing Redis.</summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Node:Id must be 1-64 letters, digits, '.', '_' or '-'.")]
    public string Id { get; set; } = Environment.MachineName;

    /// <summary>How often this engine renews its heartbeat in Redis (<c>hotline:node:&lt;Id&gt;</c>, docs/scaling.md).</summary>
    [Range(100, 10_000, ErrorMessage = "Node:HeartbeatMilliseconds must be 100-10000.")]
    public int HeartbeatMilliseconds { get; set; } = 1000;

    /// <summary>
    /// The heartbeat's time to live: an engine whose heartbeat is this old is dead for the others, and one of them closes
    /// its calls (at least three heartbeats, so one late renewal is not a death).
    /// </summary>
    [Range(300, 120_000, ErrorMessage = "Node:DeadAfterMilliseconds must be 300-120000.")]
    public int DeadAfterMilliseconds { get; set; } = 5000;

    public TimeSpan Heartbeat => TimeSpan.FromMilliseconds(HeartbeatMilliseconds);

    public TimeSpan DeadAfter => TimeSpan.FromMilliseconds(DeadAfterMilliseconds);
}

/// <summary>Node settings that depend on each other (exit 2 naming the key, like every setting).</summary>
public sealed class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    public ValidateOptionsResult Validate(string? name, NodeOptions options) =>
        options.DeadAfterMilliseconds < 3 * options.HeartbeatMilliseconds
            ? ValidateOptionsResult.Fail($"Node:DeadAfterMilliseconds ({options.DeadAfterMilliseconds}) must be at least 3 x Node:HeartbeatMilliseconds ({options.HeartbeatMilliseconds}): one late heartbeat must not make the others close this engine's calls.")
            : ValidateOptionsResult.Success;
}
