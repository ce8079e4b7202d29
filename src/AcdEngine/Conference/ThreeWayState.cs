using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Conference;

/// <summary>
/// The three-way part of one call (department, supervisors, the mixer). Owned by the call's flow and only
/// touched under the flow's lock.
/// </summary>
internal sealed class ThreeWayState
{
    /// <summary>The mixer once more than two parties share the call; null while caller and agent are simply bridged.</summary>
    public IConference? Conference { get; set; }

    /// <summary>Cancels the consult in progress (the stage itself is <see cref="Calls.CallStage.Consulting"/>).</summary>
    public CancellationTokenSource? ConsultCancel { get; set; }

    /// <summary>The consult put the caller on hold; the hold ends when the department joins or the consult fails.</summary>
    public bool HeldForConsult { get; set; }

    public string? DepartmentId { get; set; }
    public ICallLeg? DepartmentLeg { get; set; }
    public DateTimeOffset? JoinedAt { get; set; }

    /// <summary>Time with a department in the call (CallEnded.conference_ms).</summary>
    public TimeSpan ConferenceTime { get; set; }

    public TaskCompletionSource DepartmentGone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The agent left a three-way call (transfer completed).</summary>
    public bool AgentLeft { get; set; }

    public bool CallerLeft { get; set; }

    public List<(string User, ICallLeg Leg)> Supervisors { get; } = [];

    /// <summary>
    /// Who the other party is when it is not a consulted department: "agent:&lt;id&gt;" or a SIP URI after a blind
    /// transfer (events.proto TransferCompleted.to, ConferenceChanged parties). Null: "department:&lt;DepartmentId&gt;".
    /// </summary>
    public string? Party { get; set; }

    /// <summary>TransferCompleted.kind when the agent leaves: "blind", "attended"; null = "warm" (CTI complete).</summary>
    public string? TransferKind { get; set; }

    /// <summary>The last blind transfer the agent's phone asked for (SIP REFER), kept after its outcome.</summary>
    public TransferInFlight? Transfer { get; set; }

    /// <summary>The agent a blind transfer reached (Talking on this call until it ends).</summary>
    public string? TargetAgentId { get; set; }
}

/// <summary>One blind transfer in progress: completes true when the target answered and is bridged, false when not.</summary>
internal sealed class TransferInFlight(TransferTarget target)
{
    public TransferTarget Target { get; } = target;
    public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>It failed after the agent's phone had hung up: nobody to reconnect the caller to (set before <see cref="Done"/>).</summary>
    public bool FailedWithoutAgent { get; set; }

    /// <summary>Still ringing the target, or failed with the agent gone: the call's end waits on / follows this transfer.</summary>
    public bool HoldsTheCaller => !Done.Task.IsCompleted || FailedWithoutAgent;
}
