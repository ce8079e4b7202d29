using Hotline.AcdEngine.Calls;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Conference;

/// <summary>
/// Who is in one call and how they hear each other, shared by its conference stages (consult/three-way, transfer,
/// supervisor monitor): the caller, the agent's <see cref="TalkStage"/> once answered, the department or transfer
/// target, the supervisors and the mixer (<see cref="ThreeWayState"/>). The inbound flow makes one per call and the
/// stages reach the call only through it, so this folder never needs the orchestrator's (Routing's) types.
/// </summary>
/// <remarks>
/// <see cref="Owner"/> is the call's one owner (the session's, the talk stage's): <see cref="Talk"/> and
/// <see cref="Three"/> are read and changed only in its commands (issue 16). The methods here are such commands; from a
/// command already on the owner they run inline.
/// </remarks>
internal sealed class CallParties(CallSession session, ICallLeg caller, Task callerGone, ITelephony telephony, TimeProvider time)
{
    public CallSession Session { get; } = session;
    public ICallLeg Caller { get; } = caller;

    /// <summary>Completes when the caller hung up.</summary>
    public Task CallerGone { get; } = callerGone;

    /// <summary>The call's one owner (see remarks).</summary>
    public CallOwner Owner => Session.Owner;

    public ITelephony Telephony { get; } = telephony;
    public TimeProvider Time { get; } = time;

    /// <summary>The department, transfer target, supervisors and mixer of this call.</summary>
    public ThreeWayState Three { get; } = new();

    /// <summary>The talk stage once an agent answered (set once, on <see cref="Owner"/>); null before.</summary>
    public TalkStage? Talk { get; set; }

    /// <summary>
    /// <see cref="Talk"/> while the caller is still on it: null before an agent answered, once the caller hung up (the
    /// agent's wrap-up keeps the stage at Talking) and once the call ended. What the desk's commands act on.
    /// </summary>
    public TalkStage? LiveTalk => CallerGone.IsCompleted || Life.IsEnded ? null : Talk;

    public string CallId => Session.CallId;
    public CallLifecycle Life => Session.Lifecycle;

    /// <summary>A call event the agent's desktop should see (consult started/joined/failed): agent id and event.</summary>
    public event Action<string, CallEvent>? AgentNotice;

    /// <summary>Emits a call event and passes it to the agent's desktop (CTI WatchAgent).</summary>
    public void Notify(string agentId, CallEvent evt) => AgentNotice?.Invoke(agentId, Session.Emit(evt));

    /// <summary>Moves caller and agent from their bridge into a mixer (once), so more parties can join. On <see cref="Owner"/>.</summary>
    public IConference EnsureConference(TalkStage talk) => Owner.Run(() => Three.EnsureConference(() =>
    {
        var conference = Telephony.CreateConference();
        if (!Three.CallerLeft) conference.Add(Caller);
        if (!Three.AgentLeft) conference.Add(talk.Leg);
        return conference;
    }));

    /// <summary>events.proto ConferenceChanged: who is in the call now (only once it has a mixer or a department).</summary>
    public void EmitParties()
    {
        var change = new ConferenceChanged();
        var any = Owner.TryRun(() =>
        {
            if (Three.Conference is null && Three.DepartmentLeg is null) return false;
            var agentHere = Talk is { } talk && !talk.AgentGone.IsCompleted ? talk.AgentId : null;
            change.Parties.AddRange(Three.Parties(!CallerGone.IsCompleted, agentHere));
            return true;
        }, ended: false);
        if (!any) return;
        Session.Emit(new CallEvent { Conference = change });
    }

    /// <summary>
    /// The department (or transfer target) hung up: its time is counted; when only caller and agent are left the
    /// mixer goes and they are bridged again (a plain two-party call, so hold works again).
    /// </summary>
    public void DepartmentLeft()
    {
        IConference? dissolve = null;
        var left = Owner.TryRun(() =>
        {
            if (!Three.DepartmentLeft(Time.GetUtcNow())) return false;
            if (Talk is { } talk && !Life.IsEnded && !Three.AgentLeft && !Three.CallerLeft && !CallerGone.IsCompleted
                && !talk.AgentGone.IsCompleted && Three.SupervisorsGone)
            {
                Life.TryMove(CallStage.ThreeWay, CallStage.Talking);
                dissolve = Three.DissolveConference();
            }
            return true;
        }, ended: false);
        if (!left) return;
        if (dissolve is not null) _ = BridgeAgainAsync(dissolve);
        EmitParties();
    }

    /// <summary>Every leg of a call that is over: department, supervisors, agent, caller; the mixer and any consult.</summary>
    public async Task HangupAllAsync(ICallLeg? agentLeg)
    {
        var (legs, conference) = Owner.Run(() =>
        {
            List<ICallLeg> all = [.. Three.Supervisors.Select(s => s.Leg)];
            if (Three.DepartmentLeg is { } d) all.Add(d);
            if (agentLeg is not null) all.Add(agentLeg);
            all.Add(Caller);
            return (all, Three.Close(Time.GetUtcNow()));
        });
        foreach (var leg in legs) await CallSession.HangupQuietlyAsync(leg);
        if (conference is not null) await DisposeQuietlyAsync(conference);
    }

    /// <summary>A mixer on the way out; a failure there is not the call's failure.</summary>
    public static async Task DisposeQuietlyAsync(IConference conference)
    {
        try
        {
            await conference.DisposeAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Best effort: its legs are gone already.
        }
    }

    private async Task BridgeAgainAsync(IConference conference)
    {
        await DisposeQuietlyAsync(conference);
        // The mixer's disposal is awaited outside the owner; bridging again is a command.
        Owner.TryRun(() =>
        {
            if (Talk is not { } talk || Life.IsEnded || Three.Conference is not null || Life.IsOnHold) return;
            if (CallerGone.IsCompleted || talk.AgentGone.IsCompleted) return;
            talk.Bridge();
        });
    }

    /// <summary>The call is over: hangs up what the three-way part still holds (department, target, supervisors, the consult); its conference time.</summary>
    public async Task<TimeSpan> CloseAsync()
    {
        await HangupAllAsync(null);
        return Owner.Run(() =>
        {
            Three.DisposeConsult();
            return Three.ConferenceTime;
        });
    }
}
