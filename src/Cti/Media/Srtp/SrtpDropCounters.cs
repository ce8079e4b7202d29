namespace Hotline.Cti.Media.Srtp;

/// <summary>
/// SRTP/SRTCP packets dropped, by reason: per session (<see cref="Rtp.RtpStatistics"/>) and engine-wide (the media
/// engine's one instance, shown in the engine's stats). Thread-safe counters.
/// </summary>
public sealed class SrtpDropCounters
{
    private long _authenticationFailures;
    private long _replays;
    private long _malformed;

    /// <summary>Bad tag: tampered, or protected with another key (a wrong-key packet cannot be told apart).</summary>
    public long AuthenticationFailures => Interlocked.Read(ref _authenticationFailures);

    public long Replays => Interlocked.Read(ref _replays);

    public long Malformed => Interlocked.Read(ref _malformed);

    public long Total => AuthenticationFailures + Replays + Malformed;

    internal void Count(SrtpUnprotectResult result)
    {
        switch (result)
        {
            case SrtpUnprotectResult.AuthenticationFailed: Interlocked.Increment(ref _authenticationFailures); break;
            case SrtpUnprotectResult.Replayed: Interlocked.Increment(ref _replays); break;
            case SrtpUnprotectResult.Malformed: Interlocked.Increment(ref _malformed); break;
        }
    }
}
