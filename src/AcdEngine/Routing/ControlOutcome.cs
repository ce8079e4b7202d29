namespace Hotline.AcdEngine.Routing;

/// <summary>Why a call-control command was refused. The CTI service turns each into one gRPC status code.</summary>
public enum ControlRefusal
{
    /// <summary>Done.</summary>
    None,

    /// <summary>The agent has no call the command applies to (<c>NotFound</c>).</summary>
    NoSuchCall,

    /// <summary>The call's present stage forbids it: not talking, already on hold, no department yet… (<c>FailedPrecondition</c>).</summary>
    NotNow,

    /// <summary>The request names something that does not exist, whatever the call's stage (<c>InvalidArgument</c>).</summary>
    BadArgument,
}

/// <summary>
/// The outcome of one call-control command (<see cref="ICallControl"/>): done, or refused with a reason and a sentence
/// for the person at the desk. A refusal changes nothing. A <c>(bool Ok, string Error)</c> tuple converts to it, a
/// refusal then counting as <see cref="ControlRefusal.NotNow"/>: the call flows say "not in this stage" that way.
/// </summary>
public readonly record struct ControlOutcome
{
    private ControlOutcome(ControlRefusal refusal, string error)
    {
        Refusal = refusal;
        Error = error;
    }

    public ControlRefusal Refusal { get; }

    /// <summary>Why not, for the person at the desk; empty when done.</summary>
    public string Error { get; }

    public bool Ok => Refusal == ControlRefusal.None;

    public static ControlOutcome Done { get; } = new(ControlRefusal.None, "");

    public static ControlOutcome NoSuchCall(string why = ICallControl.NoSuchCall) => new(ControlRefusal.NoSuchCall, why);

    public static ControlOutcome NotNow(string why) => new(ControlRefusal.NotNow, why);

    public static ControlOutcome BadArgument(string why) => new(ControlRefusal.BadArgument, why);

    public static implicit operator ControlOutcome((bool Ok, string Error) result) => result.Ok ? Done : NotNow(result.Error);

    /// <summary>
    /// A command refused by a call that has ended (before it arrived, or while it waited for the call's owner) is
    /// <see cref="ControlRefusal.NoSuchCall"/> with <see cref="ICallControl.CallEnded"/>, whatever its stage said
    /// ("not talking", "not on hold"…): the call is gone, not in a state that may change (NotFound, not
    /// FailedPrecondition, for the desk). A bad argument stays one: it is judged before the call's state.
    /// </summary>
    public ControlOutcome OrEnded(ICallControl call) =>
        Refusal is ControlRefusal.NotNow && call.HasEnded ? NoSuchCall(ICallControl.CallEnded) : this;

    public void Deconstruct(out bool ok, out string error)
    {
        ok = Ok;
        error = Error;
    }
}
