namespace Hotline.Cti.Sip.Transactions;

/// <summary>RFC 3261 §17.1.1.1 and Table 4 base timers; every other timer derives from these.</summary>
public sealed record SipTimerSettings
{
    /// <summary>RTT estimate, default 500 ms.</summary>
    public TimeSpan T1 { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s.</summary>
    public TimeSpan T2 { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Maximum duration a message remains in the network, default 5 s.</summary>
    public TimeSpan T4 { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>64*T1: Timers B, F, H, J (unreliable), L, M.</summary>
    public TimeSpan TimeoutInterval => T1 * 64;

    public static SipTimerSettings Default { get; } = new();
}
