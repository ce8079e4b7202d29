using System.Globalization;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Hotline.Contracts.V1;

namespace Hotline.HotlineCtl;

/// <summary>Each command: which engine endpoint or CTI method it uses, and how its answer is shown.</summary>
public sealed class CtlCommands(CtlCommandLine line, EngineConnection engine, TextWriter output)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public async Task RunAsync(CancellationToken ct)
    {
        switch (line.Command)
        {
            case "calls": await CallsAsync(ct); break;
            case "queues": await QueuesAsync(ct); break;
            case "agents": await AgentsAsync(ct); break;
            case "registrations": await RegistrationsAsync(ct); break;
            case "hangup": await HangupAsync(line.Arguments[0], ct); break;
            case "reload": await ReloadAsync(ct); break;
            case "agent": await AgentAsync(line.Arguments[0], line.Arguments[1], line.Arguments.Count > 2 ? line.Arguments[2] : null, ct); break;
        }
    }

    private async Task CallsAsync(CancellationToken ct)
    {
        var calls = await engine.SendAsync(HttpMethod.Get, "/api/calls/active", "list calls", ct);
        if (Json(calls)) return;
        Table(["CALL", "DIRECTION", "CALLER", "QUEUE", "PHASE", "AGENT", "WAIT"], calls.EnumerateArray().Select(c => (IReadOnlyList<string?>)
        [
            Str(c, "callId"), Str(c, "direction"), Str(c, "caller"), Str(c, "queue"), Str(c, "phase"), Str(c, "agent"),
            c.TryGetProperty("waitSeconds", out var w) && w.ValueKind == JsonValueKind.Number ? w.GetInt64().ToString(CultureInfo.InvariantCulture) + "s" : null,
        ]), $"{calls.GetArrayLength()} active call(s)");
    }

    private async Task QueuesAsync(CancellationToken ct)
    {
        var stats = await engine.SendAsync(HttpMethod.Get, "/api/stats", "read the queue figures", ct);
        if (Json(stats.GetProperty("queues"))) return;
        Table(["QUEUE", "WAITING", "LONGEST", "READY", "TALKING", "NOT-READY", "OFFERED", "ANSWERED", "ABANDONED", "SL-TODAY"],
            stats.GetProperty("queues").EnumerateArray().Select(q => (IReadOnlyList<string?>)
            [
                Str(q, "queue"), Num(q, "waiting"), Seconds(q, "longestWaitMs"), Num(q, "agentsReady"), Num(q, "agentsTalking"),
                Num(q, "agentsNotReady"), Num(q, "offeredToday"), Num(q, "answeredToday"), Num(q, "abandonedToday"),
                q.GetProperty("serviceLevelToday").GetDouble().ToString("P0", CultureInfo.InvariantCulture),
            ]), $"node {Str(stats, "node")}, redis {Str(stats, "redis")}");
    }

    private async Task AgentsAsync(CancellationToken ct)
    {
        var stats = await engine.SendAsync(HttpMethod.Get, "/api/stats", "read the agents' states", ct);
        if (Json(stats.GetProperty("agents"))) return;
        Table(["AGENT", "STATE", "REASON", "SINCE", "CALLS-TODAY", "CALL"], stats.GetProperty("agents").EnumerateArray().Select(a => (IReadOnlyList<string?>)
        [
            Str(a, "agentId"), Str(a, "status"), Str(a, "reason"), Time(a, "since"), Num(a, "callsHandledToday"), Str(a, "callId"),
        ]), null);
    }

    private async Task RegistrationsAsync(CancellationToken ct)
    {
        var bindings = await engine.SendAsync(HttpMethod.Get, "/api/sip/registrations", "read the registrations", ct);
        if (Json(bindings)) return;
        Table(["USER", "CONTACT", "EXPIRES", "SOURCE", "USER-AGENT"], bindings.EnumerateArray().Select(b => (IReadOnlyList<string?>)
        [
            Str(b, "user"), Str(b, "contact"), Num(b, "expiresInSeconds") + "s", Str(b, "source"), Str(b, "userAgent"),
        ]), $"{bindings.GetArrayLength()} registration(s)");
    }

    private async Task HangupAsync(string callId, CancellationToken ct)
    {
        var reply = await engine.SendAsync(HttpMethod.Post, "/api/calls/" + Uri.EscapeDataString(callId) + "/hangup", $"hang up call {callId}", ct);
        if (Json(reply)) return;
        output.WriteLine($"call {callId} hung up");
    }

    /// <summary>
    /// <c>POST /api/config/reload</c>: each live key that changed (old → new), then each changed key that needs a restart.
    /// A refusal (422) is a <see cref="CtlFailure"/> naming the keys; exit 1.
    /// </summary>
    private async Task ReloadAsync(CancellationToken ct)
    {
        var reply = await engine.SendAsync(HttpMethod.Post, "/api/config/reload", "reload the configuration", ct);
        if (Json(reply)) return;
        var changed = reply.GetProperty("changed");
        var restart = reply.GetProperty("needsRestart");
        output.WriteLine(changed.GetArrayLength() == 0
            ? "configuration reloaded: no live setting changed (prompt files are read again from the next call)"
            : $"configuration reloaded: {changed.GetArrayLength()} live setting(s) changed, in effect for new calls");
        foreach (var c in changed.EnumerateArray())
            output.WriteLine($"  {Str(c, "key")}: {Str(c, "from") ?? "(none)"} -> {Str(c, "to") ?? "(removed)"}");
        foreach (var (what, items, label) in ReloadLists)
            if (reply.TryGetProperty(what, out var part) && part.ValueKind == JsonValueKind.Object
                && part.TryGetProperty(items, out var list) && list.GetArrayLength() > 0)
                output.WriteLine($"  {what} {label}: {string.Join(", ", list.EnumerateArray().Select(i => i.GetString()))}");
        if (restart.GetArrayLength() == 0) return;
        output.WriteLine($"needs a restart (changed, NOT applied): {restart.GetArrayLength()} setting(s)");
        foreach (var key in restart.EnumerateArray()) output.WriteLine($"  {key.GetString()}");
    }

    private static readonly (string What, string Items, string Label)[] ReloadLists =
    [
        ("queues", "added", "added"), ("queues", "removed", "removed"), ("queues", "removedWhenEmpty", "removed once their last caller leaves"),
        ("agents", "added", "added"), ("agents", "removed", "removed (signed out)"), ("agents", "removedAfterCall", "removed once their call is over"),
    ];

    private async Task AgentAsync(string agentId, string action, string? reason, CancellationToken ct)
    {
        var what = $"set agent {agentId} {action}";
        var reply = action switch
        {
            "ready" => await engine.CtiAsync((c, m, t) => c.SetReadyAsync(new AgentRequest { AgentId = agentId }, m, cancellationToken: t), what, ct),
            "not-ready" => await engine.CtiAsync((c, m, t) => c.SetNotReadyAsync(new NotReadyRequest { AgentId = agentId, Reason = reason ?? "console" }, m, cancellationToken: t), what, ct),
            "sign-in" => await engine.CtiAsync((c, m, t) => c.SignInAsync(new SignInRequest { AgentId = agentId, Ready = false }, m, cancellationToken: t), what, ct),
            _ => await engine.CtiAsync((c, m, t) => c.SignOutAsync(new AgentRequest { AgentId = agentId }, m, cancellationToken: t), what, ct),
        };
        var state = StateName(reply.Status);
        if (line.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { agentId = reply.AgentId, status = state, reason = reply.Reason, since = reply.Since?.ToDateTimeOffset() }, Indented));
            return;
        }
        output.WriteLine($"agent {reply.AgentId}: {state}{(reply.Reason.Length > 0 ? $" ({reply.Reason})" : "")}");
    }

    /// <summary>NotReady, SignedOut…: the generated enum's names, the same spelling /api/stats uses.</summary>
    internal static string StateName(AgentStatus status) => status.ToString();

    private bool Json(JsonElement element)
    {
        if (!line.Json) return false;
        output.WriteLine(JsonSerializer.Serialize(element, Indented));
        return true;
    }

    private void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows, string? footer)
    {
        output.Write(TextTable.Render(headers, rows));
        if (footer is not null) output.WriteLine(footer);
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch { JsonValueKind.String => v.GetString(), JsonValueKind.Null => null, _ => v.ToString() } : null;

    private static string? Num(JsonElement e, string name) => Str(e, name);

    private static string? Seconds(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? (v.GetInt64() / 1000).ToString(CultureInfo.InvariantCulture) + "s" : null;

    /// <summary>Times in UTC, ISO 8601 to the second: one format whatever the operator's zone.</summary>
    private static string? Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out var t)
            ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : null;
}
