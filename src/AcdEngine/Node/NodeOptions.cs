using System.ComponentModel.DataAnnotations;

namespace Hotline.AcdEngine.Node;

public sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>This engine's id, carried on every event; unique among engines sharing Redis.</summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Node:Id must be 1-64 letters, digits, '.', '_' or '-'.")]
    public string Id { get; set; } = Environment.MachineName;
}
