namespace Hotline.Cti.Calls;

/// <summary>
/// The engine's phone system as the ACD sees it: incoming legs, outgoing dials, bridges and conferences.
/// Implemented over the SIP stack and media core; faked in unit tests of the ACD.
/// </summary>
public interface ITelephony
{
    /// <summary>
    /// Raised for each new inbound INVITE to a number the ACD owns. The handler owns the leg: it must answer,
    /// reject or hang it up.
    /// </summary>
    event EventHandler<IncomingCallEventArgs>? IncomingCall;

    /// <summary>
    /// Sends an INVITE to <paramref name="target"/> (a registered user such as "1001", or a SIP URI).
    /// Returns at once with the leg in <see cref="CallLegState.Offering"/>; watch <see cref="IOutboundCall.Answered"/>.
    /// </summary>
    IOutboundCall Dial(string target, DialOptions options);

    /// <summary>Connects two legs so each hears the other (replaces what either heard before).</summary>
    void Bridge(ICallLeg a, ICallLeg b);

    /// <summary>Creates an N-party mixer: each member hears the sum of the others.</summary>
    IConference CreateConference();
}

public sealed class IncomingCallEventArgs(ICallLeg leg) : EventArgs
{
    public ICallLeg Leg { get; } = leg;
}

/// <summary>How to place an outbound call.</summary>
public sealed record DialOptions
{
    /// <summary>Caller id user part to put in From.</summary>
    public string CallerId { get; init; } = "hotline";

    /// <summary>Display name in From (e.g. the queue, for the agent's screen).</summary>
    public string? DisplayName { get; init; }

    /// <summary>Give up (CANCEL) after this long without an answer.</summary>
    public TimeSpan RingTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Extra headers to add to the INVITE (e.g. X-Hotline-Call).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}

/// <summary>An outbound INVITE in progress.</summary>
public interface IOutboundCall
{
    ICallLeg Leg { get; }

    /// <summary>
    /// Completes with the outcome: answered (the leg is Connected), or not (status 486 busy, 408/0 no answer,
    /// 404/480 unreachable, 487 cancelled).
    /// </summary>
    Task<DialResult> Answered { get; }

    /// <summary>Sent 180/183 (the far end is ringing).</summary>
    Task Ringing { get; }

    /// <summary>
    /// Gives up on the dial: CANCEL while it rings; if the far end answered already (a 2xx that crossed our change
    /// of mind, e.g. the caller left as the agent picked up) the leg is hung up with BYE. Either way the leg ends and
    /// frees its media; the caller of Cancel need not look at <see cref="Answered"/> first.
    /// </summary>
    void Cancel();

    /// <summary>
    /// As <see cref="Cancel"/>, because another phone took the call (ring-all, a department's contacts): the CANCEL
    /// says so (RFC 3326 <c>Reason: SIP;cause=200;text="Call completed elsewhere"</c>), so the phone does not show a
    /// missed call. Default: a plain <see cref="Cancel"/>.
    /// </summary>
    void CancelCompletedElsewhere() => Cancel();
}

/// <summary>How a dial ended.</summary>
public readonly record struct DialResult(bool IsAnswered, int SipStatus, string Reason);

/// <summary>An N-party mixer.</summary>
public interface IConference : IAsyncDisposable
{
    /// <summary>Adds a leg: it hears all others (unless <paramref name="listenOnly"/> is set it is also heard).</summary>
    void Add(ICallLeg leg, bool listenOnly = false);

    /// <summary>Removes a leg (it hears silence afterwards).</summary>
    void Remove(ICallLeg leg);

    IReadOnlyCollection<ICallLeg> Members { get; }

    /// <summary>
    /// Adds a supervisor who hears everyone and is heard only by <paramref name="target"/> (whisper/coaching; the
    /// media core's <c>MixerRole.Whisper</c>). Default: not supported by this telephony.
    /// </summary>
    void AddWhisper(ICallLeg leg, ICallLeg target) =>
        throw new NotSupportedException("This telephony cannot whisper to one member of a conference.");
}
