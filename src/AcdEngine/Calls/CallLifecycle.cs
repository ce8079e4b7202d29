using System.Collections.Frozen;

namespace Hotline.AcdEngine.Calls;

/// <summary>
/// The one owner of a call's stage (STYLE.md: one owner, one door; the way <see cref="Agents.AgentRoster"/> owns an
/// agent's). Every move is checked against <see cref="Moves"/>; an illegal one changes nothing (<see cref="TryMove(CallStage)"/>
/// returns false, <see cref="Move"/> throws <see cref="CallStageException"/>).
/// </summary>
/// <remarks>
/// Hold is the one state beside the stage, as FreeSWITCH keeps <c>CF_HOLD</c> beside the channel state: an agent may
/// hold the caller while talking, while a department rings (consult) or while a blind transfer rings, and the stage goes
/// on underneath. It is legal only in <see cref="HoldableStages"/>, and leaving for any other stage needs the hold
/// ended first (<see cref="TryResume"/>). Thread-safe: the flow's tasks (CTI, the agent's phone, timers) read and
/// move it concurrently.
/// </remarks>
public sealed class CallLifecycle(string callId)
{
    /// <summary>The table: from each stage, where a call may go next. <see cref="CallStage.Ended"/> is reachable from all.</summary>
    public static readonly FrozenDictionary<CallStage, CallStage[]> Moves = new Dictionary<CallStage, CallStage[]>
    {
        // Offered → Ringing: an outbound call rings the agent's phone first.
        [CallStage.Offered] = [CallStage.Greeting, CallStage.Ringing, CallStage.Overflow, CallStage.Ended],
        // Greeting/Ivr → Overflow: the queue the caller chose is full at once.
        [CallStage.Greeting] = [CallStage.Ivr, CallStage.Queued, CallStage.Overflow, CallStage.Ended],
        [CallStage.Ivr] = [CallStage.Queued, CallStage.Overflow, CallStage.Ended],
        // Queued → Queued: overflow to another queue (Acd:Queues:<q>:Overflow = Queue, at most 3 hops).
        [CallStage.Queued] = [CallStage.Queued, CallStage.Ringing, CallStage.Overflow, CallStage.Ended],
        [CallStage.Ringing] = [CallStage.Talking, CallStage.Queued, CallStage.Ended],
        [CallStage.Talking] = [CallStage.Consulting, CallStage.Transferring, CallStage.Survey, CallStage.Ended],
        // The agent may hang up while a department rings: the caller goes to the survey.
        [CallStage.Consulting] = [CallStage.Talking, CallStage.ThreeWay, CallStage.Survey, CallStage.Ended],
        // Talking again when the department leaves caller and agent alone (hold works again then).
        [CallStage.ThreeWay] = [CallStage.Talking, CallStage.Transferred, CallStage.Survey, CallStage.Ended],
        [CallStage.Transferring] = [CallStage.Talking, CallStage.Transferred, CallStage.Survey, CallStage.Ended],
        [CallStage.Transferred] = [CallStage.Ended],
        [CallStage.Survey] = [CallStage.Ended],
        [CallStage.Overflow] = [CallStage.Ended],
        [CallStage.Ended] = [],
    }.ToFrozenDictionary();

    /// <summary>Where the caller may be put on hold (DOMAIN.md: hold while the agent looks something up).</summary>
    public static readonly FrozenSet<CallStage> HoldableStages = new[] { CallStage.Talking, CallStage.Consulting, CallStage.Transferring }.ToFrozenSet();

    // Its own small lock, kept beside the call's CallOwner: the stage is read from any thread without a command (the
    // API's GET /api/calls/active phase, the router's look-ups, CTI's stage checks) and moved both by the flow's own
    // path (greeting → queued → ringing) and by commands; a read through the owner would make every API request wait
    // behind the call's commands and could not answer once the call ended (the owner refuses then).
    private readonly Lock _gate = new();
    private CallStage _stage = CallStage.Offered;
    private bool _onHold;

    public CallStage Stage
    {
        get { lock (_gate) return _stage; }
    }

    /// <summary>The caller hears hold music (CTI Hold, the phone's sendonly re-INVITE, a consult with hold).</summary>
    public bool IsOnHold
    {
        get { lock (_gate) return _onHold; }
    }

    public bool IsEnded => Stage == CallStage.Ended;

    /// <summary>True when <paramref name="from"/> → <paramref name="to"/> is in the table.</summary>
    public static bool IsLegal(CallStage from, CallStage to) => Moves[from].Contains(to);

    /// <summary>Moves to <paramref name="to"/> when the table allows it from the current stage (and no hold forbids it).</summary>
    public bool TryMove(CallStage to)
    {
        lock (_gate)
        {
            if (!CanMoveLocked(to)) return false;
            _stage = to;
            return true;
        }
    }

    /// <summary>Moves only when the call is in <paramref name="from"/> now (a compare-and-set for racing tasks).</summary>
    public bool TryMove(CallStage from, CallStage to)
    {
        lock (_gate)
        {
            if (_stage != from || !CanMoveLocked(to)) return false;
            _stage = to;
            return true;
        }
    }

    /// <summary>Moves to <paramref name="to"/>, or throws <see cref="CallStageException"/> and changes nothing.</summary>
    public void Move(CallStage to)
    {
        lock (_gate)
        {
            if (!CanMoveLocked(to)) throw new CallStageException(callId, _stage, to);
            _stage = to;
        }
    }

    /// <summary>Ends the call from any stage (the hold with it); false when it had already ended.</summary>
    public bool End()
    {
        lock (_gate)
        {
            if (_stage == CallStage.Ended) return false;
            _onHold = false;
            _stage = CallStage.Ended;
            return true;
        }
    }

    /// <summary>Puts the caller on hold: only in <see cref="HoldableStages"/>, and not twice.</summary>
    public bool TryHold()
    {
        lock (_gate)
        {
            if (_onHold || !HoldableStages.Contains(_stage)) return false;
            _onHold = true;
            return true;
        }
    }

    /// <summary>Ends the hold; false when the caller was not on hold.</summary>
    public bool TryResume()
    {
        lock (_gate)
        {
            if (!_onHold) return false;
            _onHold = false;
            return true;
        }
    }

    /// <summary>The operator's view of <c>GET /api/calls/active</c>: "ivr", "queued" or "talking".</summary>
    public string Phase => Stage switch
    {
        CallStage.Queued or CallStage.Ringing => "queued",
        CallStage.Talking or CallStage.Consulting or CallStage.ThreeWay or CallStage.Transferring or CallStage.Transferred => "talking",
        _ => "ivr",
    };

    private bool CanMoveLocked(CallStage to) =>
        IsLegal(_stage, to) && (!_onHold || to == CallStage.Ended || HoldableStages.Contains(to));
}
