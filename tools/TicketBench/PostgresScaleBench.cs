using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.TestSupport;

namespace Hotline.TicketBench;

/// <summary>
/// Issue 19's figure: events per second ingested on one real PostgreSQL (fsync on) by one TicketApi instance, then by
/// two instances sharing the same database (each sent half of the calls), and the ratio. Checks nothing is lost or doubled.
/// Prints beside each rate the CPU per event of the TicketApi processes and of the PostgreSQL server (its process tree),
/// the load average and the steal over the timed run: on a shared machine CPU per event is steadier than time.
/// <c>--warmup N</c> first publishes N calls to each instance in October (outside the checked month) so the hosts' JIT is
/// at its steady tier.
/// </summary>
internal static class PostgresScaleBench
{
    private const string ScrapeToken = "bench-scrape-token-0123456789";

    /// <summary>The ingest writer's batches and their database seconds so far (<c>hotline_ingest_commit_duration</c>, /metrics).</summary>
    private static async Task<(double Batches, double Seconds)> WriterAsync(HostProcess host)
    {
        using var http = new HttpClient { BaseAddress = host.HttpUrl };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ScrapeToken);
        double count = 0, sum = 0;
        foreach (var line in (await http.GetStringAsync("/metrics")).Split('\n'))
        {
            if (line.StartsWith("hotline_ingest_commit_duration_seconds_count", StringComparison.Ordinal)) count += Value(line);
            else if (line.StartsWith("hotline_ingest_commit_duration_seconds_sum", StringComparison.Ordinal)) sum += Value(line);
        }
        return (count, sum);

        static double Value(string line)
        {
            // name{labels} value [timestamp]
            var rest = line[(line.LastIndexOf('}') is var brace and >= 0 ? brace + 1 : line.IndexOf(' '))..];
            return double.Parse(rest.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private static Process StartPerf(string output, IEnumerable<int> pids)
    {
        var perf = Process.Start(new ProcessStartInfo("perf", ["record", "-F", "999", "-g", "-o", output, "-p", string.Join(',', pids)])
        {
            RedirectStandardError = true,
        })!;
        // perf says nothing until it stops; give it a moment to attach before the timed run starts.
        Thread.Sleep(500);
        return perf;
    }

    private static async Task StopPerfAsync(Process perf)
    {
        using (var kill = Process.Start("kill", ["-INT", perf.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await perf.WaitForExitAsync();
        Console.WriteLine("postgres-scale: " + (await perf.StandardError.ReadToEndAsync()).Trim().Replace('\n', ' '));
    }

    /// <summary>One instance, then two on a fresh database; <c>instanceCpu</c> &gt; 0 confines each TicketApi to that % of one core (<see cref="CpuQuota"/>).</summary>
    public static async Task<bool> RunAsync(Dictionary<string, string> baseSettings, string adminKey, int calls, int streams, int warmupCalls = 0, int instanceCpu = 0)
    {
        await using var postgres = await PostgresServer.StartAsync(durable: true);
        var one = await RunAsync(postgres, "one", 1, baseSettings, adminKey, calls, streams, warmupCalls, instanceCpu);
        var two = await RunAsync(postgres, "two", 2, baseSettings, adminKey, calls, streams, warmupCalls, instanceCpu);
        if (one is null || two is null) return false;
        var confined = instanceCpu > 0 ? $" (each instance confined to {instanceCpu} % of one core)" : "";
        Console.WriteLine($"postgres-scale: one instance {one:F0} events/s, two instances {two:F0} events/s = {two / one:F2}×{confined}; load average {CpuClock.LoadAverage()}");
        return true;
    }

    private static async Task<double?> RunAsync(PostgresServer postgres, string database, int instances, Dictionary<string, string> baseSettings,
        string adminKey, int calls, int streams, int warmupCalls, int instanceCpu)
    {
        await postgres.CreateDatabaseAsync(database);
        var settings = new Dictionary<string, string>(baseSettings)
        {
            ["Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Tickets"] = postgres.ConnectionString(database),
            ["Metrics:BearerSha256"] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ScrapeToken))),
        };
        var hosts = new List<HostProcess>();
        var quotas = new List<CpuQuota>();
        try
        {
            for (var i = 0; i < instances; i++)
            {
                hosts.Add(await HostProcess.StartHealthyAsync("TicketApi", settings));
                if (instanceCpu > 0) quotas.Add(CpuQuota.Confine(hosts[i].Process.Id, instanceCpu, $"hotline-bench-{Environment.ProcessId}-{database}-{i}"));
            }
            var channels = hosts.Select(h => GrpcChannel.ForAddress(h.GrpcUrl, new GrpcChannelOptions { HttpHandler = h.Credentials() })).ToList();
            var clients = channels.Select(c => new CallEventIngest.CallEventIngestClient(c)).ToList();
            if (warmupCalls > 0)
            {
                var warm = Enumerable.Range(0, instances * streams).Select(_ => new List<IngestEnvelope>()).ToArray();
                var october = new DateTime(2026, 10, 2, 0, 0, 0, DateTimeKind.Utc);
                // N calls for every instance: each host's JIT reaches the same tier whether it runs alone or beside another
                // (dealt over the set, two instances got half the warm-up each and were still compiling in the timed run).
                for (var i = 0; i < warmupCalls * instances; i++) warm[i % warm.Length].AddRange(IngestBench.Call($"warm-{i}", $"a{i % 100}", october.AddSeconds(i)));
                await Task.WhenAll(warm.Select((events, s) => IngestBench.PublishAsync(clients[s % instances], events)));
            }
            var start = new DateTime(2026, 11, 2, 0, 0, 0, DateTimeKind.Utc);
            // Every instance gets `streams` streams; calls are dealt round robin over all of them.
            var perStream = Enumerable.Range(0, instances * streams).Select(_ => new List<IngestEnvelope>()).ToArray();
            for (var i = 0; i < calls; i++) perStream[i % perStream.Length].AddRange(IngestBench.Call($"bench-{i}", $"a{i % 100}", start.AddSeconds(i)));
            var total = perStream.Sum(p => p.Count);
            var load = CpuClock.LoadAverage();
            var machine = CpuClock.Machine();
            var hostCpu = hosts.Sum(h => CpuClock.Seconds(h.Process.Id));
            var serverCpu = CpuClock.TreeSeconds(postgres.Process.Id);
            var benchCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            var writers = await Task.WhenAll(hosts.Select(WriterAsync));
            var throttled = quotas.Sum(q => q.ThrottledMicroseconds());
            // TICKETBENCH_PERF_RECORD=<dir>: `perf record -g` of the hosts and PostgreSQL's processes over the timed run
            // (<dir>/pgscale-<instances>.data; the hosts need TICKETBENCH_PERF=1 for their JIT-compiled method names).
            using var perf = Environment.GetEnvironmentVariable("TICKETBENCH_PERF_RECORD") is { Length: > 0 } perfDir
                ? StartPerf(Path.Combine(perfDir, $"pgscale-{instances}.data"), [.. hosts.Select(h => h.Process.Id), .. CpuClock.Tree(postgres.Process.Id)])
                : null;
            var sw = Stopwatch.StartNew();
            var acks = await Task.WhenAll(perStream.Select((events, s) => IngestBench.PublishAsync(clients[s % instances], events)));
            sw.Stop();
            if (perf is not null) await StopPerfAsync(perf);
            hostCpu = hosts.Sum(h => CpuClock.Seconds(h.Process.Id)) - hostCpu;
            serverCpu = CpuClock.TreeSeconds(postgres.Process.Id) - serverCpu;
            benchCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - benchCpu;
            throttled = quotas.Sum(q => q.ThrottledMicroseconds()) - throttled;
            var steal = CpuClock.StealSince(machine);
            var machineBusy = CpuClock.BusySince(machine);
            var writersAfter = await Task.WhenAll(hosts.Select(WriterAsync));
            var batches = writersAfter.Sum(w => w.Batches) - writers.Sum(w => w.Batches);
            var busy = writersAfter.Zip(writers, (a, b) => (a.Seconds - b.Seconds) / sw.Elapsed.TotalSeconds).ToList();
            foreach (var c in channels) c.Dispose();
            using var http = new HttpClient { BaseAddress = hosts[0].HttpUrl };
            http.DefaultRequestHeaders.Add("X-Api-Key", adminKey);
            var metrics = (await http.GetFromJsonAsync<JsonElement>("/api/metrics?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z")).GetProperty("total");
            var rate = total / sw.Elapsed.TotalSeconds;
            var exact = acks.Sum(a => a.Count) == total && acks.All(a => a.All(x => x.Accepted))
                        && metrics.GetProperty("offered").GetInt64() == calls && metrics.GetProperty("orders").GetInt64() == calls;
            Console.WriteLine($"postgres-scale: {instances} instance(s): {total} events ({calls} calls) in {sw.Elapsed.TotalSeconds:F2} s = {rate:F0} events/s; {(exact ? "nothing lost or doubled" : "MISMATCH")}");
            Console.WriteLine($"postgres-scale: {instances} instance(s): CPU per event: TicketApi {hostCpu * 1e6 / total:F0} µs, PostgreSQL {serverCpu * 1e6 / total:F0} µs, " +
                              $"this bench (the publishers) {benchCpu * 1e6 / total:F0} µs; machine busy {machineBusy}; load average {load} → {CpuClock.LoadAverage()}; steal {steal}");
            Console.WriteLine($"postgres-scale: {instances} instance(s): {batches} batches, {total / Math.Max(1.0, batches):F0} events per batch; " +
                              $"writer busy (apply + commit) {string.Join(" / ", busy.Select(b => $"{b:P0}"))} of the run");
            // IngestWriter's Warning when a batch met another instance's (deadlock or serialization failure) and was applied again.
            var retried = hosts.Sum(h => h.Process.Output.Split('\n').Count(l => l.Contains("met another writer", StringComparison.Ordinal)));
            Console.WriteLine($"postgres-scale: {instances} instance(s): batches applied again after meeting another writer: {retried}");
            if (quotas.Count > 0)
                Console.WriteLine($"postgres-scale: {instances} instance(s): confined to {instanceCpu} % of one core each; held back by the quota " +
                                  $"{throttled / 1e6 / instances / sw.Elapsed.TotalSeconds:P0} of the run (per instance; summed over the cores it waited on, so it can pass 100 %)");
            return exact ? rate : null;
        }
        finally
        {
            foreach (var h in hosts) await h.DisposeAsync();
            foreach (var q in quotas) q.Dispose();
        }
    }
}
