namespace Hotline.Cti.Sip.Messages;

/// <summary>Limits checked while parsing, so hostile input costs bounded memory and time.</summary>
public sealed record SipParserLimits
{
    /// <summary>Largest message accepted (a UDP datagram is at most 65,507 bytes).</summary>
    public int MaxMessageBytes { get; init; } = 65_535;

    /// <summary>Most header lines accepted.</summary>
    public int MaxHeaders { get; init; } = 128;

    public static SipParserLimits Default { get; } = new();
}
