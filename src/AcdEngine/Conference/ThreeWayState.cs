using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Conference;

/// <summary>
/// The three-way part of one call: the consult's cancellation, the department (or transfer target) in the call, the
/// supervisors, the mixer, who left, and the conference time. Every change goes through a method named for what
/// happened (<see cref="DepartmentJoined"/>, <see cref="TransferConnected"/>, <see cref="DepartmentLeft"/>…); the
/// stage itself (consulting, three-way, transferring) is the call's <c>CallLifecycle</c>. Not thread-safe by itself:
/// it is read and changed only in commands on the call's <c>CallOwner</c> (through <see cref="CallParties"/>).
/// </summary>
internal sealed class ThreeWayState
{
    private CancellationTokenSource? _consultCancel;

    /// <summary>The mixer once more than two parties share the call; null while caller and agent are simply bridged.</summary>
    public IConference? Conference { get; private set; }

    /// <summary>The consult put the caller on hold; the hold ends when the department joins or the consult fails.</summary>
    public bool HeldForConsult { get; set; }

    public string? DepartmentId { get; private set; }

    /// <summary>The department or transfer target that answered (kept after it left: one department per call).</summary>
    public ICallLeg? DepartmentLeg { get; private set; }

    public DateTimeOffset? JoinedAt { get; private set; }

    /// <summary>Time with a department in the call (CallEnded.conference_ms).</summary>
    public TimeSpan ConferenceTime { get; private set; }

    public TaskCompletionSource DepartmentGone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The agent left a three-way call (transfer completed).</summary>
    public bool AgentLeft { get; private set; }

    public bool CallerLeft { get; private set; }

    public List<(string User, ICallLeg Leg)> Supervisors { get; } = [];

    /// <summary>
    /// Who the other party is when it is not a consulted department: "agent:&lt;id&gt;" or a SIP URI after a blind
    /// transfer (events.proto TransferCompleted.to, ConferenceChanged parties). Null: "department:&lt;DepartmentId&gt;".
    /// </summary>
    public string? Party { get; private set; }

    /// <summary>events.proto TransferCompleted.to / ConferenceChanged's name of the department or target.</summary>
    public string OtherParty => Party ?? "department:" + DepartmentId;

    /// <summary>TransferCompleted.kind when the agent leaves: "blind", "attended"; null = "warm" (CTI complete).</summary>
    public string? TransferKind { get; private set; }

    /// <summary>The last blind transfer the agent's phone asked for (SIP REFER), kept after its outcome.</summary>
    public TransferInFlight? Transfer { get; set; }

    /// <summary>The agent a blind transfer reached (Talking on this call until it ends).</summary>
    public string? TargetAgentId { get; private set; }

    /// <summary>A department or target is in the call now (answered and not gone).</summary>
    public bool HasDepartment => DepartmentLeg is { State: not CallLegState.Ended } && !DepartmentGone.Task.IsCompleted;

    public bool SupervisorsGone => Supervisors.All(s => s.Leg.State == CallLegState.Ended);

    /// <summary>A consult starts: its token stops the dialling when the call ends.</summary>
    public CancellationToken StartConsult()
    {
        _consultCancel = new CancellationTokenSource();
        return _consultCancel.Token;
    }

    /// <summary>The mixer the call moved into (<see cref="EnsureConference"/>'s first use).</summary>
    public IConference EnsureConference(Func<IConference> create)
    {
        Conference ??= create();
        return Conference;
    }

    /// <summary>Only caller and agent are left: the mixer goes (the caller for the flow to dispose and bridge again).</summary>
    public IConference? DissolveConference()
    {
        var conference = Conference;
        Conference = null;
        return conference;
    }

    /// <summary>The consulted department answered and joined the mixer: the conference clock starts.</summary>
    public void DepartmentJoined(string departmentId, ICallLeg leg, DateTimeOffset at)
    {
        HeldForConsult = false;
        DepartmentId = departmentId;
        DepartmentLeg = leg;
        JoinedAt = at;
    }

    /// <summary>A blind transfer's target answered and is bridged with the caller.</summary>
    public void TransferConnected(TransferTarget target, ICallLeg leg)
    {
        HeldForConsult = false;
        DepartmentLeg = leg;
        DepartmentId = target.DepartmentId ?? target.Party;
        Party = target.Party;
        TransferKind = "blind";
        TargetAgentId = target.AgentId;
    }

    /// <summary>The department (or target) hung up: false when it had already left. Its time is counted.</summary>
    public bool DepartmentLeft(DateTimeOffset now)
    {
        if (DepartmentLeg is null || DepartmentGone.Task.IsCompleted) return false;
        StopConferenceClock(now);
        Conference?.Remove(DepartmentLeg);
        DepartmentGone.TrySetResult();
        return true;
    }

    /// <summary>The agent's phone completes an attended or blind transfer to the department already in the call.</summary>
    public void AgentTransfers(string kind) => TransferKind = kind;

    /// <summary>The agent left (transfer completed, or their blind transfer failed after they hung up).</summary>
    public void MarkAgentLeft() => AgentLeft = true;

    /// <summary>The caller left a call the agent and the department go on with.</summary>
    public void MarkCallerLeft() => CallerLeft = true;

    /// <summary>The agent a blind transfer reached, once: null after the first ask.</summary>
    public string? TakeTargetAgent()
    {
        var agentId = TargetAgentId;
        TargetAgentId = null;
        return agentId;
    }

    /// <summary>The call is over: cancels a consult in progress, stops the conference clock, hands back the mixer.</summary>
    public IConference? Close(DateTimeOffset now)
    {
        _consultCancel?.Cancel();
        StopConferenceClock(now);
        return DissolveConference();
    }

    /// <summary>Frees the consult's token source (after <see cref="Close"/>, when nothing dials any more).</summary>
    public void DisposeConsult()
    {
        _consultCancel?.Dispose();
        _consultCancel = null;
    }

    /// <summary>events.proto ConferenceChanged.parties, in a fixed order: caller, agent, department, supervisors.</summary>
    public List<string> Parties(bool callerHere, string? agentHere)
    {
        var parties = new List<string>(4);
        if (!CallerLeft && callerHere) parties.Add("caller");
        if (agentHere is not null && !AgentLeft) parties.Add("agent:" + agentHere);
        if (DepartmentLeg is not null && !DepartmentGone.Task.IsCompleted) parties.Add(OtherParty);
        foreach (var (user, leg) in Supervisors)
            if (leg.State != CallLegState.Ended) parties.Add("supervisor:" + user);
        return parties;
    }

    private void StopConferenceClock(DateTimeOffset now)
    {
        if (JoinedAt is { } joined) ConferenceTime += now - joined;
        JoinedAt = null;
    }
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
