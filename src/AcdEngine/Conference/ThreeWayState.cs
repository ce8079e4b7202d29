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

    public bool Consulting { get; set; }
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
}
