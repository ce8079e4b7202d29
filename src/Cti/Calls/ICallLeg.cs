using Hotline.Cti.Media;

namespace Hotline.Cti.Calls;

/// <summary>Which way a leg was set up.</summary>
public enum CallLegDirection
{
    /// <summary>The remote party sent us an INVITE.</summary>
    Inbound,
    /// <summary>We sent the INVITE.</summary>
    Outbound,
}

/// <summary>Where a leg is in its life.</summary>
public enum CallLegState
{
    /// <summary>Inbound INVITE received, not answered; or outbound INVITE sent, no final answer yet.</summary>
    Offering,
    /// <summary>200 OK exchanged, media flowing.</summary>
    Connected,
    /// <summary>BYE/CANCEL/rejection/timeout: over.</summary>
    Ended,
}

/// <summary>Why a leg ended.</summary>
public enum HangupCause
{
    /// <summary>The remote party hung up (BYE, or CANCEL before answer).</summary>
    RemoteHangup,
    /// <summary>We hung up.</summary>
    LocalHangup,
    /// <summary>No RTP for the inactivity timeout.</summary>
    MediaTimeout,
    /// <summary>Outbound: rejected or unreachable.</summary>
    Failed,
}

/// <summary>
/// One SIP call leg with its media anchored on the engine: the API the ACD is written against.
/// A leg hears exactly one thing at a time: a played source, another leg (bridge), a mixer, or silence.
/// </summary>
public interface ICallLeg
{
    /// <summary>Engine-wide unique id of this leg.</summary>
    string Id { get; }

    /// <summary>Inbound: the caller's user part (the calling number). Outbound: the called user.</summary>
    string RemoteUser { get; }

    /// <summary>Display name from the From header (inbound), if any.</summary>
    string RemoteDisplayName { get; }

    /// <summary>Inbound: the user part of the Request-URI (the number dialled).</summary>
    string DialedNumber { get; }

    CallLegDirection Direction { get; }

    CallLegState State { get; }

    /// <summary>Inbound only: 200 OK with our SDP answer; completes when the ACK arrives (or fails on timeout).</summary>
    Task AnswerAsync(CancellationToken cancellationToken);

    /// <summary>Inbound only, before answer: a final non-2xx response (486, 480, 404, …).</summary>
    Task RejectAsync(int statusCode, CancellationToken cancellationToken);

    /// <summary>Send 180 Ringing (inbound, before answer).</summary>
    Task RingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Plays <paramref name="source"/> to the remote party, replacing whatever it heard before (a bridge or mixer
    /// is detached). The returned task completes when the source ends or is replaced/stopped (never throws for that).
    /// </summary>
    Task PlayAsync(IAudioSource source, CancellationToken cancellationToken);

    /// <summary>
    /// Plays a short prompt (a tone) to the remote party beside what it hears: its bridge or mixer stays, so in a
    /// conference it keeps hearing the others and being heard while the prompt plays on top. The task completes when
    /// the source ends or is replaced by another prompt. Null when this leg cannot (the default): use
    /// <see cref="PlayAsync"/> then, which takes the leg out of its bridge or mixer.
    /// </summary>
    Task? PlayBesideAsync(IAudioSource source, CancellationToken cancellationToken) => null;

    /// <summary>Stops what the leg hears (silence) and detaches it from any bridge or mixer.</summary>
    void StopAudio();

    /// <summary>Hangs up: CANCEL before answer (outbound), 480 (inbound unanswered), BYE after.</summary>
    Task HangupAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Sends a digit to the remote party as RFC 4733 telephone-events (e.g. a digit the agent keyed, relayed to the
    /// number the agent called). False when this leg cannot: the peer negotiated no telephone-event, or the default.
    /// </summary>
    bool SendDtmf(char digit, int durationMs) => false;

    /// <summary>A DTMF digit (RFC 4733 or SIP INFO), reported once per key press.</summary>
    event EventHandler<DtmfEventArgs>? Dtmf;

    /// <summary>The leg ended, whoever ended it. Raised once.</summary>
    event EventHandler<CallLegEndedEventArgs>? Ended;

    /// <summary>
    /// The remote phone put the call on hold (re-INVITE with a=sendonly or a=inactive, RFC 3264 §8.4) or took it
    /// off hold (sendrecv again). Default: never raised (a leg whose stack does not report it).
    /// </summary>
    event EventHandler<RemoteHoldEventArgs>? RemoteHold
    {
        add { }
        remove { }
    }

    /// <summary>
    /// The remote phone asked to transfer the call (SIP REFER, RFC 3515; Replaces, RFC 3891, for an attended
    /// transfer). Default: never raised (a leg whose stack does not report it; the phone's request is refused).
    /// </summary>
    event EventHandler<TransferRequestedEventArgs>? TransferRequested
    {
        add { }
        remove { }
    }

    /// <summary>True when <paramref name="replaces"/> names this leg's SIP dialog (Call-ID and both tags). Default: false.</summary>
    bool IsDialog(TransferReplaces replaces) => false;

    /// <summary>This leg's SIP dialog as a Replaces would name it to us (to-tag = our tag); null before a dialog or when not SIP.</summary>
    TransferReplaces? Dialog => null;

    /// <summary>
    /// Starts recording what this leg says and hears, mixed (so on the caller's leg: every party the caller hears),
    /// to a WAV file at <paramref name="path"/> (the media core's <c>MediaSession.StartRecording</c>).
    /// Returns false when this leg cannot record (the default).
    /// </summary>
    bool StartRecording(string path) => false;

    /// <summary>Stops recording and finalises the WAV file. No-op when not recording.</summary>
    void StopRecording()
    {
    }
}

public sealed class RemoteHoldEventArgs(bool onHold) : EventArgs
{
    /// <summary>True: the phone put the call on hold; false: it resumed.</summary>
    public bool OnHold { get; } = onHold;
}

public sealed class DtmfEventArgs(char digit, int durationMs) : EventArgs
{
    public char Digit { get; } = digit;
    public int DurationMs { get; } = durationMs;
}

public sealed class CallLegEndedEventArgs(HangupCause cause, int sipStatus) : EventArgs
{
    public HangupCause Cause { get; } = cause;
    /// <summary>The final SIP status when there was one (e.g. 486 for a busy outbound leg), else 0.</summary>
    public int SipStatus { get; } = sipStatus;
}
