namespace Hotline.AcdEngine.Calls;

/// <summary>
/// Where the caller is in the life of one call (ARCHITECTURE.md "the call, as data"; docs/acd.md opens with the
/// drawing). <see cref="CallLifecycle"/> holds it and refuses every move its table does not list.
/// </summary>
public enum CallStage
{
    /// <summary>The INVITE arrived; nothing answered yet.</summary>
    Offered,

    /// <summary>Answered; the (holiday) greeting plays.</summary>
    Greeting,

    /// <summary>The DTMF menu (<c>Acd:Ivr</c>).</summary>
    Ivr,

    /// <summary>Waiting in a queue with hold music and announcements.</summary>
    Queued,

    /// <summary>Reserved agents are being rung (RONA → back to <see cref="Queued"/>).</summary>
    Ringing,

    /// <summary>Bridged with the agent who answered (a supervisor may listen in).</summary>
    Talking,

    /// <summary>The agent has a department's contacts rung; caller and agent stay together (or the caller is held).</summary>
    Consulting,

    /// <summary>Caller, agent and department in one mixer.</summary>
    ThreeWay,

    /// <summary>A blind transfer (SIP REFER from the agent's phone) rings its target; the caller hears music.</summary>
    Transferring,

    /// <summary>The agent left; the caller stays with the department or the transfer target.</summary>
    Transferred,

    /// <summary>The agent left first: the caller rates the service (<c>Survey:*</c>).</summary>
    Survey,

    /// <summary>Closed, full or waited too long: callback request, voicemail or the apology.</summary>
    Overflow,

    /// <summary>Every leg released; nothing moves any more.</summary>
    Ended,
}

/// <summary>A move the call's table does not allow; nothing was changed.</summary>
public sealed class CallStageException(string callId, CallStage from, CallStage to)
    : InvalidOperationException($"Call {callId} cannot move from {from} to {to}.")
{
    public CallStage From { get; } = from;
    public CallStage To { get; } = to;
}
