namespace Hotline.Cti.Media.Srtp;

/// <summary>
/// Whether a call leg's media is encrypted (SDES-keyed SRTP, RFC 4568). Chosen per leg from the account and the
/// SIP transport (a TLS account defaults to <see cref="Srtp"/>: SDES keys are only secret over TLS).
/// </summary>
public enum SrtpPolicy
{
    /// <summary>Plain RTP only: an SRTP-only offer (RTP/SAVP) gets 488; a=crypto on RTP/AVP is ignored.</summary>
    Plain,

    /// <summary>SRTP when the peer offers usable crypto, plain RTP otherwise; our own offers are plain.</summary>
    Optional,

    /// <summary>SRTP required: our offers are RTP/SAVP with a=crypto, an offer without usable crypto gets 488.</summary>
    Srtp,
}

/// <summary>What SDES agreed for one leg: the suite, the key we send with and the key the peer sends with.</summary>
public sealed record SrtpKeying(SrtpSuite Suite, SrtpMasterKey Local, SrtpMasterKey Remote)
{
    /// <summary>Same suite and keys (a re-INVITE that changes nothing keeps the crypto contexts and their ROC).</summary>
    public bool SameAs(SrtpKeying? other) =>
        other is not null && other.Suite == Suite && ReferenceEquals(other.Local, Local)
        && other.Remote.Key.SequenceEqual(Remote.Key) && other.Remote.Salt.SequenceEqual(Remote.Salt);
}
