using Grpc.Core;

namespace Hotline.TicketApi.Desk;

/// <summary>
/// COMMON.md identity contract: TicketApi's Service key as <c>Authorization: Bearer</c>, and for a desk request
/// <c>x-hotline-act-as: agent:&lt;id&gt;</c>, so that the engine authorises the request as that agent (own state and own calls only).
/// </summary>
public static class EngineIdentity
{
    public const string ActAsHeader = "x-hotline-act-as";

    public static Metadata ActingAsAgent(string? serviceKey, string agentId)
    {
        var headers = new Metadata();
        if (!string.IsNullOrEmpty(serviceKey)) headers.Add("authorization", "Bearer " + serviceKey);
        headers.Add(ActAsHeader, "agent:" + agentId);
        return headers;
    }
}
