namespace Hotline.Cti.Media.Sdp;

/// <summary>RFC 4566 §6 / RFC 3264 §5.1 direction attributes, from the point of view of the side that wrote them.</summary>
public enum MediaDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

public static class MediaDirectionExtensions
{
    /// <summary>RFC 3264 §6.1: the answer's direction mirrors the offer's (sendonly ↔ recvonly).</summary>
    public static MediaDirection Reverse(this MediaDirection d) => d switch
    {
        MediaDirection.SendOnly => MediaDirection.RecvOnly,
        MediaDirection.RecvOnly => MediaDirection.SendOnly,
        _ => d,
    };

    public static bool Sends(this MediaDirection d) => d is MediaDirection.SendRecv or MediaDirection.SendOnly;

    public static bool Receives(this MediaDirection d) => d is MediaDirection.SendRecv or MediaDirection.RecvOnly;

    public static string ToAttribute(this MediaDirection d) => d switch
    {
        MediaDirection.SendOnly => "sendonly",
        MediaDirection.RecvOnly => "recvonly",
        MediaDirection.Inactive => "inactive",
        _ => "sendrecv",
    };
}
