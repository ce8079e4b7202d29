using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Hotline.TestSupport;

// Issue 10 figure: outbound call set-up = the agent's 200 OK on the wire → the engine's INVITE to the gateway on the
// wire (loopback), target < 50 ms. A real AcdEngine process (Release build), a sipp UAS as agent 1001 (registered,
// auto-answers with 180 + 200), a sipp UAS as the PSTN gateway (answers, hangs up after 300 ms); N click-to-calls one
// after another through POST /api/dial; dumpcap captures loopback, tshark reads the SIP messages back.
//
// Usage (as root, for dumpcap on lo; build the engine first):
//   dotnet build src/AcdEngine -c Release && dotnet build tools/OutboundBench -c Release
//   dotnet tools/OutboundBench/bin/Release/net10.0/Hotline.OutboundBench.dll [calls=50] [--trace]
// --trace: the engine logs its own stage timings (Debug) for the 2xx of the agent's leg and the flow's dial; printed.
var trace = args.Contains("--trace");
var calls = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 50;
var sipPort = FreePort.Next();
var agentPort = FreePort.Next();
var gatewayPort = FreePort.Next();
var work = Directory.CreateTempSubdirectory("hotline-outbound-bench-").FullName;
var capture = Path.Combine(work, "lo.pcapng");
string P(int port) => port.ToString(CultureInfo.InvariantCulture);
string Sipp(string name) => Path.Combine(RepoPaths.Root, "tools", "sipp", name);

await using var dumpcap = PeerProcess.Start("dumpcap", ["-i", "lo", "-f", $"udp port {P(agentPort)} or udp port {P(gatewayPort)}", "-w", capture]);
await dumpcap.WaitForLineAsync(l => l.Contains("Capturing on", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

var settings = new Dictionary<string, string>
{
    ["Sip:Port"] = P(sipPort),
    ["ConnectionStrings:Redis"] = $"127.0.0.1:{P(FreePort.Next())},abortConnect=false,connectTimeout=500",
    ["Acd:WrapUpSeconds"] = "0",
    ["Survey:Enabled"] = "false",
    ["Outbound:Gateway"] = $"sip:127.0.0.1:{P(gatewayPort)}",
};
if (trace) settings["Serilog:MinimumLevel:Override:Hotline.Cti.Calls.Sip"] = "Debug";
await using var engine = await HostProcess.StartHealthyAsync("AcdEngine", settings);

// The agent: REGISTER 1001 from the port its UAS will listen on, then auto-answer every INVITE.
var sippBase = new[] { "-i", "127.0.0.1", "-nostdin", "-timeout", "600s" };
await using (var register = PeerProcess.Start("sipp", [$"127.0.0.1:{P(sipPort)}", .. sippBase, "-p", P(agentPort), "-sf", Sipp("register.xml"),
    "-inf", Sipp("users.csv"), "-au", "1001", "-ap", "agent1001", "-m", "1"]))
{
    if (await register.Exited.WaitAsync(TimeSpan.FromSeconds(20)) != 0) throw new InvalidOperationException("REGISTER failed:\n" + register.Output);
}
await using var agent = PeerProcess.Start("sipp", [.. sippBase, "-p", P(agentPort), "-mp", P(FreePort.Next(4)), "-sn", "uas", "-m", P(calls)]);
await using var gateway = PeerProcess.Start("sipp", [.. sippBase, "-p", P(gatewayPort), "-mp", P(FreePort.Next(4)),
    "-sf", Path.Combine(RepoPaths.Root, "tools", "OutboundBench", "sipp", "gateway.xml"), "-m", P(calls)]);

using var http = new HttpClient { BaseAddress = engine.HttpUrl };
var clock = Stopwatch.StartNew();
for (var i = 0; i < calls; i++)
{
    // One call at a time: a 409 means a1 is still on the previous call (wrap-up 0 s), so try again shortly.
    while (true)
    {
        using var response = await http.PostAsJsonAsync("/api/dial", new { agentId = "a1", number = "13900139000" });
        if (response.StatusCode == HttpStatusCode.Accepted) break;
        if (response.StatusCode != HttpStatusCode.Conflict)
            throw new InvalidOperationException($"dial {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if (clock.Elapsed > TimeSpan.FromSeconds(30 + (2 * calls))) throw new TimeoutException("a1 never became ready again:\n" + engine.Process.Output);
        await Task.Delay(25); // Polling another process's agent state: no event to await.
    }
}
await Task.WhenAll(agent.Exited, gateway.Exited).WaitAsync(TimeSpan.FromSeconds(60));
// dumpcap writes out its buffer on SIGINT (a kill would lose the end of the capture).
using (var stop = Process.Start("kill", ["-INT", P(dumpcap.Id)])) await stop.WaitForExitAsync();
await dumpcap.Exited.WaitAsync(TimeSpan.FromSeconds(10));

// Each call: the agent's first 200 OK to INVITE (by Call-ID) and, next, the engine's first INVITE to the gateway.
await using var tshark = PeerProcess.Start("tshark", ["-r", capture, "-Y", "sip", "-T", "fields", "-E", "separator=|",
    "-e", "frame.time_epoch", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "sip.Method", "-e", "sip.Status-Code", "-e", "sip.CSeq.method", "-e", "sip.Call-ID"]);
await tshark.Exited.WaitAsync(TimeSpan.FromSeconds(60));
var seen = new HashSet<string>(StringComparer.Ordinal);
var answers = new List<double>();
var invites = new List<double>();
foreach (var line in tshark.Output.Split('\n'))
{
    var f = line.Trim().Split('|');
    if (f.Length < 7 || !double.TryParse(f[0], CultureInfo.InvariantCulture, out var at)) continue;
    if (f[1] == P(agentPort) && f[4] == "200" && f[5] == "INVITE" && seen.Add("200 " + f[6])) answers.Add(at);
    else if (f[2] == P(gatewayPort) && f[3] == "INVITE" && seen.Add("INV " + f[6])) invites.Add(at);
}
if (answers.Count != calls || invites.Count != calls)
    throw new InvalidOperationException($"expected {calls} answers and gateway INVITEs, captured {answers.Count} and {invites.Count}");
var setup = answers.Zip(invites, (a, g) => (g - a) * 1000).ToList();
if (setup.Any(ms => ms < 0)) throw new InvalidOperationException("a gateway INVITE before its agent's answer: calls overlapped");
var sorted = setup.Order().ToList();
double Pct(double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
Console.WriteLine($"outbound set-up, agent 200 OK → gateway INVITE on the wire, {calls} calls: " +
    $"p50 {Pct(0.5):F2} ms  p99 {Pct(0.99):F2} ms  max {sorted[^1]:F2} ms  (first call {setup[0]:F2} ms)");
Console.WriteLine("all (ms): " + string.Join(' ', setup.Select(ms => ms.ToString("F1", CultureInfo.InvariantCulture))));
if (trace)
    foreach (var l in engine.Process.Output.Split('\n').Where(l => l.Contains(" 2xx: ", StringComparison.Ordinal) || l.Contains("dialling", StringComparison.Ordinal)).Take(12))
        Console.WriteLine(l.Trim());
Console.WriteLine("load average: " + File.ReadAllText("/proc/loadavg").Trim());
try { Directory.Delete(work, recursive: true); }
catch (IOException) { }
return 0;
