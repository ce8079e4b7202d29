using System.Diagnostics;
using System.Globalization;
using Hotline.TestSupport;
using Hotline.TicketBench;

// Usage: dotnet tools/TicketBench/bin/Release/net10.0/Hotline.TicketBench.dll [ingest|metrics|list|all|postgres-scale] [--calls N] [--streams N] [--month-calls N]
//        [--year-calls N (metrics: also the year 2025)] [--provider sqlite|postgresql] [--warmup N calls published (in October) before the timed run]
//        (ingest: postgresql starts a throwaway PostgreSQL cluster, fsync on, like the tests)
// postgres-scale (not in "all"): one vs two TicketApi instances on one real PostgreSQL (issue 19's ≥ 1.5× figure);
//        [--instance-cpu P]: each instance confined to P % of one core (cgroup cpu quota, root): "a core of its own" on a small machine.
var mode = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
string Text(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
const string adminKey = "bench-admin-key-0123456789";
var settings = new Dictionary<string, string> { ["Auth:BootstrapAdminKey"] = adminKey, ["Serilog:MinimumLevel:Default"] = "Warning" };
// TICKETBENCH_PERF=1: the host writes /tmp/perf-PID.map so `perf report` names its JIT-compiled methods.
if (Environment.GetEnvironmentVariable("TICKETBENCH_PERF") == "1")
{
    settings["DOTNET_PerfMapEnabled"] = "1";
    settings["DOTNET_EnableWriteXorExecute"] = "0";   // JIT code at its perf-map address (no double mapping)
}
var ok = true;
if (mode is "ingest" or "all")
{
    var provider = Text("--provider", "sqlite");
    await using var postgres = provider == "postgresql" ? await PostgresServer.StartAsync(durable: true) : null;
    var ingestSettings = new Dictionary<string, string>(settings);
    if (postgres is not null)
    {
        await postgres.CreateDatabaseAsync("ingest");
        ingestSettings["Database:Provider"] = "PostgreSql";
        ingestSettings["ConnectionStrings:Tickets"] = postgres.ConnectionString("ingest");
    }
    else if (provider != "sqlite")
    {
        Console.Error.WriteLine("--provider must be sqlite or postgresql");
        return 2;
    }
    await using var host = await HostProcess.StartHealthyAsync("TicketApi", ingestSettings);
    ok &= await IngestBench.RunAsync(host, adminKey, Option("--calls", 40_000), Option("--streams", 4), provider, Option("--warmup", 0));
}
if (mode is "metrics" or "all")
{
    await using var host = await HostProcess.StartHealthyAsync("TicketApi", settings);
    ok &= await MetricsBench.RunAsync(host, adminKey, Option("--month-calls", 1_000_000), Option("--year-calls", 0));
}
if (mode is "list" or "all")
{
    await using var host = await HostProcess.StartHealthyAsync("TicketApi", settings);
    ok &= await ListBench.RunAsync(host, adminKey, Option("--month-calls", 1_000_000));
}
if (mode is "postgres-scale")
{
    ok &= await PostgresScaleBench.RunAsync(settings, adminKey, Option("--calls", 10_000), Option("--streams", 2), Option("--warmup", 0), Option("--instance-cpu", 0));
}
return ok ? 0 : 1;
