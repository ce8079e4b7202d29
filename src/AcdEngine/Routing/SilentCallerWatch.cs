using Hotline.AcdEngine.Calls;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// Watches an agent's phone for the silent-caller code (<c>Acd:FeatureCodes:SilentCaller</c>, default <c>*99</c>,
/// keyed during the call, DOMAIN.md "The call"): keys in order, any other key starts over (a key that begins the code
/// begins it again). Each complete code is reported once through <c>keyed</c>. The leg's keys are fed on the call's
/// <see cref="CallOwner"/> (<see cref="On"/>), one at a time and in order, so it needs no lock of its own.
/// </summary>
internal sealed class SilentCallerWatch
{
    private readonly string _code;
    private readonly Action _keyed;
    private int _matched;

    public SilentCallerWatch(string code, Action keyed)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        (_code, _keyed) = (code, keyed);
    }

    /// <summary>
    /// Watches <paramref name="leg"/> for <paramref name="code"/>, each key a command on <paramref name="owner"/> (DTMF
    /// arrives on the leg's thread, RFC 4733 and SIP INFO alike); nothing when the code is empty (the feature is off).
    /// </summary>
    public static SilentCallerWatch? On(ICallLeg leg, CallOwner owner, string code, Action keyed)
    {
        if (string.IsNullOrEmpty(code)) return null;
        var watch = new SilentCallerWatch(code, keyed);
        leg.Dtmf += (_, e) => owner.TryRun(() => watch.Feed(e.Digit), ended: false);
        return watch;
    }

    /// <summary>One key from the agent's phone; true when it completed the code (and the code was reported).</summary>
    public bool Feed(char digit)
    {
        _matched = digit == _code[_matched] ? _matched + 1 : digit == _code[0] ? 1 : 0;
        var complete = _matched == _code.Length;
        if (complete) _matched = 0;
        if (complete) _keyed();
        return complete;
    }
}
