namespace Hotline.Cti.Media.Srtp;

/// <summary>
/// The four crypto contexts of one leg (RFC 3711 §3.2): SRTP and SRTCP, out (our key, used on the clock thread)
/// and in (the peer's key, used by the two receive loops). Each context has exactly one owner thread.
/// </summary>
internal sealed class SrtpStreams
{
    public SrtpStreams(SrtpKeying keying, SrtpStreams? previous)
    {
        Keying = keying;
        // Our key unchanged (a re-INVITE changed only the peer's): keep the sending contexts and their ROC/index.
        if (previous is not null && previous.Keying.Suite == keying.Suite && ReferenceEquals(previous.Keying.Local, keying.Local))
        {
            RtpOut = previous.RtpOut;
            RtcpOut = previous.RtcpOut;
        }
        else
        {
            RtpOut = new SrtpContext(keying.Suite, keying.Local);
            RtcpOut = new SrtcpContext(keying.Suite, keying.Local);
        }
        RtpIn = new SrtpContext(keying.Suite, keying.Remote);
        RtcpIn = new SrtcpContext(keying.Suite, keying.Remote);
    }

    public SrtpKeying Keying { get; }
    public SrtpContext RtpOut { get; }
    public SrtcpContext RtcpOut { get; }
    public SrtpContext RtpIn { get; }
    public SrtcpContext RtcpIn { get; }
}
