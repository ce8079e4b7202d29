using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf;
using Hotline.Contracts.V1;

namespace Hotline.TicketApi.Desk;

/// <summary>
/// What the desk page receives on <c>/console/api/desk/events</c>, one JSON object per server-sent event, by <c>type</c>:
/// <c>engine</c> (up / away with a reason), <c>state</c>, <c>pop</c> (screen pop), <c>history</c> (the caller's previous
/// calls and orders), <c>call</c> (a call event of the agent's call, protobuf JSON).
/// </summary>
public static class DeskMessage
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter() },   // statuses by name, as the REST API gives them
    };
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static string Engine(bool up, string reason) => JsonSerializer.Serialize(new { type = "engine", engine = up ? "up" : "away", reason }, Json);

    public static string State(AgentEvent e, uint wrapUpSeconds, string name) => JsonSerializer.Serialize(new
    {
        type = "state", agentId = e.AgentId, name, status = Short(e.Status), reason = e.Reason, callId = e.CallId,
        since = e.OccurredAt?.ToDateTimeOffset(), wrapUpSeconds,
    }, Json);

    public static string Pop(ScreenPop p, DateTimeOffset receivedAt) => JsonSerializer.Serialize(new
    {
        type = "pop", callId = p.CallId, callerNumber = p.CallerNumber, callerName = p.CallerName, queue = p.Queue,
        ivrDigits = p.IvrDigits, nature = p.Nature, waitMs = p.WaitMs,
        direction = p.Direction == CallDirection.Outbound ? "outbound" : "inbound", receivedAt,
    }, Json);

    public static string History(string callId, CallerHistory history) =>
        JsonSerializer.Serialize(new { type = "history", callId, history }, Json);

    public static string Call(CallEvent e) => "{\"type\":\"call\",\"event\":" + Formatter.Format(e) + "}";

    /// <summary>AGENT_STATUS_WRAP_UP → "wrap-up".</summary>
    public static string Short(AgentStatus status) => status switch
    {
        AgentStatus.SignedOut => "signed-out",
        AgentStatus.Ready => "ready",
        AgentStatus.NotReady => "not-ready",
        AgentStatus.Ringing => "ringing",
        AgentStatus.Talking => "talking",
        AgentStatus.WrapUp => "wrap-up",
        _ => "unknown",
    };
}
