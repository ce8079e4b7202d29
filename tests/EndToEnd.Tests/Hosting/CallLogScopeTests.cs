using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Hosting;

/// <summary>
/// With <c>Logging:Json=true</c> every line the engine logs about a call carries the call's ids as properties: the
/// hotline call id (<c>CallId</c>, the flow's scope) and the SIP Call-ID (<c>SipCallId</c>, the user agent's scope per
/// received message, inherited by what it starts). A real sipp caller queues and hangs up; the engine's JSON lines
/// on stdout are read back.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed partial class CallLogScopeTests
{
    [Test]
    public async Task Every_log_line_about_a_call_carries_its_call_id_and_SIP_Call_ID()
    {
        await using var redis = await RedisServer.StartAsync();
        var sipPort = FreePort.Next();
        await using var engine = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = sipPort.ToString(CultureInfo.InvariantCulture),
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Logging:Json"] = "true",
            ["Serilog:MinimumLevel:Default"] = "Debug",
            ["Acd:Greeting"] = "",
            ["Acd:ReadyNeedsRegisteredPhone"] = "true",
        });
        await using var caller = SippPeer.Start(sipPort, FreePort.Next(), ["-sn", "uac", "-s", "12345"], "-m", "1", "-d", "1500");
        var (code, output) = await caller.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(code, Is.Zero, output);
        // sipp's default Call-ID: "<call number>-<pid>@<local ip>".
        var sipCallId = $"1-{caller.Process.Id.ToString(CultureInfo.InvariantCulture)}@127.0.0.1";
        // The flow's last line (the call ended) is the signal that every line of the call was written.
        await engine.Process.WaitForLineAsync(l => l.Contains("\"CallId\"", StringComparison.Ordinal) && l.Contains("ended", StringComparison.OrdinalIgnoreCase),
            TimeSpan.FromSeconds(20));

        var lines = engine.Process.Output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        string? Property(JsonElement line, string name) =>
            line.TryGetProperty("Properties", out var p) && p.TryGetProperty(name, out var v) ? v.ToString() : null;
        string Rendered(JsonElement line) => line.TryGetProperty("RenderedMessage", out var r) ? r.GetString() ?? "" : "";

        var callIds = lines.SelectMany(l => HotlineCallId().Matches(Rendered(l)).Select(m => m.Value)).Distinct().ToList();
        Assert.That(callIds, Has.Count.EqualTo(1), "one call, one hotline call id in the log:\n" + engine.Process.Output);
        var callId = callIds[0];
        var aboutTheCall = lines.Where(l => Rendered(l).Contains(callId, StringComparison.Ordinal) || Rendered(l).Contains(sipCallId, StringComparison.Ordinal)
            || Property(l, "SourceContext") == "Hotline.AcdEngine.Routing.InboundCallFlow").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(aboutTheCall, Has.Count.GreaterThanOrEqualTo(2), engine.Process.Output);
            foreach (var line in aboutTheCall)
                Assert.That(Property(line, "CallId") == callId || Property(line, "SipCallId") == sipCallId, Is.True,
                    "a line about the call without its ids: " + line);
            // The flow's lines carry both: its own id, and the SIP Call-ID of the INVITE that started it.
            var flowLines = lines.Where(l => Property(l, "CallId") == callId).ToList();
            Assert.That(flowLines, Is.Not.Empty);
            Assert.That(flowLines.All(l => Property(l, "SipCallId") == sipCallId), Is.True, string.Join('\n', flowLines));
            // The SIP layer's own lines (transactions, dialog, media) carry the SIP Call-ID.
            Assert.That(lines.Count(l => Property(l, "SipCallId") == sipCallId && Property(l, "SourceContext")?.StartsWith("Hotline.Cti", StringComparison.Ordinal) == true),
                Is.GreaterThanOrEqualTo(1), engine.Process.Output);
        });
    }

    [GeneratedRegex("c-[0-9a-f]{32}")]
    private static partial Regex HotlineCallId();
}
