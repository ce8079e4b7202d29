namespace Hotline.TicketApi.Desk;

/// <summary>
/// <c>Desk:Phone:*</c>: the desk's browser phone (issue 18). The page registers with the engine's SIP over WebSocket
/// (RFC 7118) itself; TicketApi only tells it where (the URL, the SIP domain) and which SIP user the agent has. The SIP
/// password is typed by the agent in the page and never reaches TicketApi.
/// </summary>
public sealed class DeskPhoneOptions
{
    /// <summary>The engine's <c>wss://host:port/path</c> (its <c>Sip:WebSocket:*</c>); empty: the desk shows no phone.</summary>
    public string WebSocketUrl { get; set; } = "";

    /// <summary>The SIP domain of the agents' accounts (<c>sip:user@domain</c>); empty: the host of <see cref="WebSocketUrl"/>.</summary>
    public string Domain { get; set; } = "";

    /// <summary>Agent id → SIP user (the engine's <c>Agents[].User</c>), pre-filled in the phone; missing: the agent types it.</summary>
    public Dictionary<string, string> Users { get; set; } = new(StringComparer.Ordinal);

    public bool Enabled => WebSocketUrl.Length > 0;

    /// <summary>The URL's origin for the desk page's <c>connect-src</c> (CSP), e.g. <c>wss://pbx.example:8089</c>.</summary>
    public string Origin => Enabled ? new Uri(WebSocketUrl).GetLeftPart(UriPartial.Authority) : "";

    public string EffectiveDomain => Domain.Length > 0 ? Domain : Enabled ? new Uri(WebSocketUrl).Host : "";

    /// <summary>Bad values, each naming its key (the host stops with exit 2).</summary>
    public IEnumerable<string> Problems()
    {
        if (Enabled && (!Uri.TryCreate(WebSocketUrl, UriKind.Absolute, out var url) || url.Scheme != "wss" || url.UserInfo.Length > 0 || url.Query.Length > 0))
            // Browsers allow only wss from an https page, and SIP credentials must not cross the network readable.
            yield return "Desk:Phone:WebSocketUrl must be an absolute wss:// URL (the engine's Sip:WebSocket listener), without user info or query.";
        if (Domain.Length > 0 && Uri.CheckHostName(Domain) == UriHostNameType.Unknown)
            yield return "Desk:Phone:Domain must be a host name or IP address.";
        foreach (var (agent, user) in Users)
            if (string.IsNullOrWhiteSpace(user) || user.Length > 64 || user.Any(c => c is '@' or ':' or ';' or '<' or '>' || char.IsWhiteSpace(c)))
                yield return $"Desk:Phone:Users:{agent} must be a SIP user part (1-64 characters, no @ : ; < > or spaces).";
    }
}
