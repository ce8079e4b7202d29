using Hotline.Cti.Sip.Transactions;

namespace Hotline.Cti.Sip.UserAgent;

/// <summary>Identity and behaviour of the user-agent core.</summary>
public sealed record SipUserAgentOptions
{
    /// <summary>The SIP domain we serve (host part of our AORs, the registrar's realm).</summary>
    public string Domain { get; init; } = "127.0.0.1";

    /// <summary>Product token for User-Agent and Server headers (§20.35, §20.41).</summary>
    public string Product { get; init; } = "Hotline";

    /// <summary>Methods we accept, sent in Allow (§20.5).</summary>
    public string Allow { get; init; } = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REGISTER, REFER";

    /// <summary>Answer out-of-dialog OPTIONS without a transaction (RFC 3261 §8.2.7), as a stateless proxy would.</summary>
    public bool StatelessOptions { get; init; } = true;

    public SipTimerSettings Timers { get; init; } = SipTimerSettings.Default;
}
