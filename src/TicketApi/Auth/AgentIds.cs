namespace Hotline.TicketApi.Auth;

/// <summary>The shape of an engine agent id (Agents[].Id) as a key may be bound to it; it travels in gRPC metadata.</summary>
public static class AgentIds
{
    public static bool IsValid(string id) =>
        id.Length is >= 1 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
