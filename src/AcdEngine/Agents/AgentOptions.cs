namespace Hotline.AcdEngine.Agents;

public sealed class AgentOptions
{
    public string Id { get; set; } = "";

    /// <summary>Display name shown on the desk and the wallboard (empty: the id is shown).</summary>
    public string Name { get; set; } = "";

    /// <summary>The agent's SIP account (user part), which the engine rings.</summary>
    public string User { get; set; } = "";

    public List<string> Queues { get; set; } = [];

    /// <summary>Skill → penalty tier (0 best). Used by the skills strategy.</summary>
    public Dictionary<string, int> Skills { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Signed in and ready when the engine starts.</summary>
    public bool AutoReady { get; set; }

    /// <summary>
    /// A trainee: their callers hear the trainee greeting with <see cref="SpokenNumber"/> when they answer
    /// (DOMAIN.md "The call": trainee variant with agent number; docs/acd.md "Greetings").
    /// </summary>
    public bool Trainee { get; set; }

    /// <summary>The agent number a trainee's callers hear, 1-8 digits ("" = <see cref="User"/>, which must then be digits).</summary>
    public string Number { get; set; } = "";

    /// <summary>What the trainee greeting speaks: "" for an agent who is not a trainee.</summary>
    public string SpokenNumber => !Trainee ? "" : string.IsNullOrEmpty(Number) ? User : Number;
}

public sealed class AgentsOptions
{
    public const string Section = "Agents";

    public List<AgentOptions> List { get; set; } = [];
}
