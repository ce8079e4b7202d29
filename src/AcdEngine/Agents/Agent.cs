namespace Hotline.AcdEngine.Agents;

/// <summary>
/// One agent's state. Mutated only by <see cref="AgentRoster"/> under its lock; everyone else reads a
/// <see cref="AgentSnapshot"/>.
/// </summary>
internal sealed class Agent(string id, string user, IReadOnlySet<string> queues, IReadOnlyDictionary<string, int> skills, bool autoReady)
{
    public string Id { get; } = id;

    // User, queues, skills, auto-ready and trainee number change only by a configuration reload (AgentRoster.Reconfigure).
    public string User { get; set; } = user;
    public IReadOnlySet<string> Queues { get; set; } = queues;
    public IReadOnlyDictionary<string, int> Skills { get; set; } = skills;
    public bool AutoReady { get; set; } = autoReady;

    /// <summary>The number the trainee greeting speaks ("" = not a trainee: the standard greeting only).</summary>
    public string TraineeNumber { get; set; } = "";

    /// <summary>Removed from the configuration while on a call: offered nothing more, dropped once the call is over.</summary>
    public bool Retired { get; set; }

    public AgentState State { get; set; } = AgentState.SignedOut;
    public string Reason { get; set; } = "";
    public DateTimeOffset Since { get; set; }
    public string? CallId { get; set; }

    /// <summary>Ready here, but another engine holds the agent's lease: not offered until it is freed.</summary>
    public bool HeldElsewhere { get; set; }

    /// <summary>
    /// A change another engine made while this engine's call held the agent (ringing, talking): applied when the call
    /// leaves them, instead of their becoming ready (a call is never dropped by a state change made elsewhere).
    /// </summary>
    public (AgentState State, string Reason)? PendingShared { get; set; }

    /// <summary>In wrap-up because another engine said so: its end here is not told back to the others.</summary>
    public bool WrapUpElsewhere { get; set; }

    /// <summary>When the agent last became ready (longest-idle strategy).</summary>
    public DateTimeOffset IdleSince { get; set; }

    public int CallsHandledToday { get; set; }
    public DateOnly CallsCountedOn { get; set; }
    public long Sequence { get; set; }
    public long WrapUpGeneration { get; set; }
    public ITimer? WrapUpTimer { get; set; }
    public TaskCompletionSource<TimeSpan>? WrapUpDone { get; set; }

    /// <summary>Ends a "not ready (busy)" after <c>Acd:BusyRetrySeconds</c> (AgentRoster.ReleaseRing).</summary>
    public ITimer? BusyTimer { get; set; }

    /// <summary>Busy rings (486/600) since the agent last answered or said ready (<c>Acd:MaxBusyInARow</c>).</summary>
    public int BusyInARow { get; set; }

    public AgentSnapshot Snapshot() => new(Id, User, State, Reason, Since, CallId, IdleSince, CallsHandledToday, Queues, Skills) { TraineeNumber = TraineeNumber };
}

/// <summary>A read-only copy of an agent's state at one moment.</summary>
public sealed record AgentSnapshot(
    string Id,
    string User,
    AgentState State,
    string Reason,
    DateTimeOffset Since,
    string? CallId,
    DateTimeOffset IdleSince,
    int CallsHandledToday,
    IReadOnlySet<string> Queues,
    IReadOnlyDictionary<string, int> Skills)
{
    /// <summary>The number the trainee greeting speaks when this agent answers ("" = not a trainee).</summary>
    public string TraineeNumber { get; init; } = "";
}
