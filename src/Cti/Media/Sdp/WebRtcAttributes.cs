namespace Hotline.Cti.Media.Sdp;

/// <summary>
/// The SDP attributes a WebRTC peer sends with its audio (RFC 8829 §5, RFC 8839 §5.4, RFC 8122 §5, RFC 5763 §5,
/// RFC 5761 §5.1.3, RFC 8843 §6): ICE credentials, the DTLS certificate fingerprint (SHA-256 only: the one browsers
/// use) and role, rtcp-mux and the mid. Set at session or media level; the media level wins (<see cref="Or"/>).
/// </summary>
public sealed class WebRtcAttributes
{
    public string? IceUfrag { get; private set; }
    public string? IcePwd { get; private set; }

    /// <summary>The SHA-256 <c>a=fingerprint</c> value (hex pairs with colons); other hash functions are ignored.</summary>
    public string? FingerprintSha256 { get; private set; }

    public string? Setup { get; private set; }
    public bool RtcpMux { get; private set; }
    public string? Mid { get; private set; }

    /// <summary>Takes one attribute if it is one of ours; false otherwise.</summary>
    internal bool TryRead(string name, string value)
    {
        switch (name)
        {
            case "ice-ufrag": IceUfrag = value.Trim(); return true;
            case "ice-pwd": IcePwd = value.Trim(); return true;
            case "setup": Setup = value.Trim().ToLowerInvariant(); return true;
            case "rtcp-mux": RtcpMux = true; return true;
            case "mid": Mid = value.Trim(); return true;
            case "fingerprint":
                // a=fingerprint:<hash-func> <fingerprint>; RFC 8122 §5: several may be given, one per hash function.
                var parts = value.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (parts.Length == 2 && parts[0].Equals("sha-256", StringComparison.OrdinalIgnoreCase)) FingerprintSha256 = parts[1];
                return true;
            default:
                return false;
        }
    }

    /// <summary>These attributes, each falling back to <paramref name="session"/>'s.</summary>
    public WebRtcAttributes Or(WebRtcAttributes session) => new()
    {
        IceUfrag = IceUfrag ?? session.IceUfrag,
        IcePwd = IcePwd ?? session.IcePwd,
        FingerprintSha256 = FingerprintSha256 ?? session.FingerprintSha256,
        Setup = Setup ?? session.Setup,
        RtcpMux = RtcpMux || session.RtcpMux,
        Mid = Mid,
    };
}
