using System.Text.Json;
using Google.Protobuf;
using Hotline.Contracts.V1;

namespace Hotline.TicketApi.WebConsole;

/// <summary>The JSON the wallboard receives: <c>{"engine":"up","snapshot":{…cti.proto StatsSnapshot…}}</c> or <c>{"engine":"away",…}</c>.</summary>
public static class LiveMessage
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static string Up(StatsSnapshot snapshot) =>
        "{\"engine\":\"up\",\"snapshot\":" + Formatter.Format(snapshot) + "}";

    /// <summary>The engine is unreachable: the wallboard keeps the last snapshot, greyed, with the reason.</summary>
    public static string Away(StatsSnapshot? last, string reason) =>
        "{\"engine\":\"away\",\"reason\":" + JsonSerializer.Serialize(reason) +
        ",\"snapshot\":" + (last is null ? "null" : Formatter.Format(last)) + "}";
}
