namespace Hotline.AcdEngine.Dialing;

/// <summary>Outbound calls through the engine (<c>Outbound:*</c>): callbacks, returned abandoned calls, click-to-call.</summary>
public sealed class OutboundOptions
{
    public const string Section = "Outbound";

    /// <summary>The SIP gateway numbers are sent to, a SIP URI (e.g. <c>sip:gw.example.org:5060</c>); empty = no outbound calls.</summary>
    public string Gateway { get; set; } = "";

    /// <summary>Caller id (From user part) presented to the called number; empty = the hotline number (<c>Acd:HotlineNumber</c>).</summary>
    public string CallerId { get; set; } = "";

    /// <summary>How long the agent's phone rings before the dial is given up.</summary>
    public int AgentRingTimeoutSeconds { get; set; } = 20;

    /// <summary>How long the called number rings before the dial is given up.</summary>
    public int NumberRingTimeoutSeconds { get; set; } = 45;

    /// <summary>Queue name put on outbound calls' events (their ratings are counted under it).</summary>
    public string Queue { get; set; } = "outbound";

    /// <summary>
    /// Dial plan: a number may be called when it matches one of these regular expressions (after spaces and dashes are
    /// removed) and none of <see cref="Deny"/>. Defaults: mainland mobile, long-distance and local landline numbers.
    /// </summary>
    public List<string> Allow { get; set; } = [@"^1[3-9]\d{9}$", @"^0\d{9,11}$", @"^[2-8]\d{6,7}$"];

    /// <summary>Numbers agents may never call (e.g. premium-rate prefixes), regular expressions.</summary>
    public List<string> Deny { get; set; } = [];

    /// <summary>
    /// International numbers (<see cref="InternationalPrefix"/>… or <c>+</c> with another country code) are refused
    /// whatever <see cref="Allow"/> says, unless this is true: toll fraud goes abroad.
    /// </summary>
    public bool AllowInternational { get; set; }

    /// <summary>The home country's calling code: <c>+86…</c> is dialled in national form, other <c>+…</c> numbers are international.</summary>
    public string CountryCode { get; set; } = "86";

    /// <summary>The international access prefix dialled before a country code (00 in most of the world).</summary>
    public string InternationalPrefix { get; set; } = "00";
}
