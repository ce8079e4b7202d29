using System.Diagnostics;
using System.Globalization;
using Hotline.TestSupport;
using Hotline.TicketBench;

// Usage: dotnet tools/TicketBench/bin/Release/net10.0/Hotline.TicketBench.dll [ingest|metrics|list|all|postgres-scale] [--calls N] [--streams N] [--month-calls N]
// postgres-scale (not in "all"): one vs two TicketApi instances on one real PostgreSQL (issue 19's ≥ 1.5× figure).
var mode = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
const string adminKey = "bench-admin-key-0123456789";
var settings = new Dictionary<string, string> { ["Auth:BootstrapAdminKey"] = adminKey, ["Serilog:MinimumLevel:Default"] = "Warning" };
var ok = true;
if (mode is "ingest" or "all")
{
    await using var host = await HostProcess.StartHealthyAsync("TicketApi", settings);
    ok &= await IngestBench.RunAsync(host, adminKey, Option("--calls", 40_000), Option("--streams", 4));
}
if (mode is "metrics" or "all")
{
    await using var host = await HostProcess.StartHealthyAsync("TicketApi", settings);
    ok &= await MetricsBench.RunAsync(host, adminKey, Option("--month-calls", 1_000_000));
}
if (mode is "list" or "all")
{
    await using var host = await HostProcess.StartHealthyAsync("TicketApi", settings);
    ok &= await ListBench.RunAsync(host, adminKey, Option("--month-calls", 1_000_000));
}
if (mode is "postgres-scale")
{
    ok &= await PostgresScaleBench.RunAsync(settings, adminKey, Option("--calls", 10_000), Option("--streams", 2));
}
return ok ? 0 : 1;
