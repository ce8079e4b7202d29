using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.TestSupport;

namespace Hotline.TicketBench;

/// <summary>
/// Publishes whole calls (5 events each) over several gRPC streams to the real host, as fast as acks allow, and
/// checks that every event was acknowledged once and every call and order exists exactly once.
/// </summary>
internal static class IngestBench
{
    public static async Task<bool> RunAsync(HostProcess host, string adminKey, int calls, int streams, string provider = "sqlite", int warmupCalls = 0)
    {
        var start = new DateTime(2026, 11, 2, 0, 0, 0, DateTimeKind.Utc);
        // The stand-in engine node's key (Ingest:Nodes of every test host): an unauthenticated stream is refused.
        using var channel = GrpcChannel.ForAddress(host.GrpcUrl, new GrpcChannelOptions { HttpHandler = host.Credentials() });
        var client = new CallEventIngest.CallEventIngestClient(channel);
        if (warmupCalls > 0)
        {
            // Calls in October, outside the checked month: the host's JIT reaches its steady tier before the timed run.
            var warm = Enumerable.Range(0, streams).Select(s => new List<IngestEnvelope>()).ToArray();
            for (var i = 0; i < warmupCalls; i++) warm[i % streams].AddRange(Call($"warm-{i}", $"a{i % 100}", new DateTime(2026, 10, 2, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i)));
            var warmCpu = CpuSeconds(host.Process.Id);
            var warmSw = Stopwatch.StartNew();
            await Task.WhenAll(warm.Select(events => PublishAsync(client, events)));
            Console.WriteLine($"ingest: {provider}: warm-up {warmupCalls * 5} events in {warmSw.Elapsed.TotalSeconds:F2} s, host CPU {(CpuSeconds(host.Process.Id) - warmCpu) * 1e6 / (warmupCalls * 5):F0} µs per event");
        }
        var perStream = Enumerable.Range(0, streams).Select(s => new List<IngestEnvelope>()).ToArray();
        for (var i = 0; i < calls; i++) perStream[i % streams].AddRange(Call($"bench-{i}", $"a{i % 100}", start.AddSeconds(i)));
        var total = perStream.Sum(p => p.Count);

        var cpuBefore = CpuSeconds(host.Process.Id);
        var sw = Stopwatch.StartNew();
        var acks = await Task.WhenAll(perStream.Select(events => PublishAsync(client, events)));
        sw.Stop();
        var cpu = CpuSeconds(host.Process.Id) - cpuBefore;
        var acked = acks.Sum(a => a.Count);
        var rejected = acks.Sum(a => a.Count(x => !x.Accepted));
        var distinct = acks.SelectMany(a => a.Select(x => x.EventId)).Distinct().Count();

        // Redeliver 10 % of the events: nothing may change.
        await PublishAsync(client, [.. perStream[0].Take(total / 10)]);

        using var http = new HttpClient { BaseAddress = host.HttpUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", adminKey);
        var callTotal = (await http.GetFromJsonAsync<JsonElement>($"/api/calls?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&pageSize=1")).GetProperty("total").GetInt32();
        // The list counts only up to 10,000: orders are counted by the metrics (registrations, kept in the ingest's transaction).
        var metrics = (await http.GetFromJsonAsync<JsonElement>("/api/metrics?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z")).GetProperty("total");
        var orderTotal = metrics.GetProperty("orders").GetInt64();
        var offered = metrics.GetProperty("offered").GetInt64();

        var rate = total / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"ingest: {provider}: {total} events ({calls} calls) over {streams} streams in {sw.Elapsed.TotalSeconds:F2} s = {rate:F0} events/s");
        // Load-independent: the host's own CPU time (user + system) for the run, from /proc.
        Console.WriteLine($"ingest: {provider}: host CPU {cpu:F2} s = {cpu * 1e6 / total:F0} µs per event → {total / cpu:F0} events per CPU-second; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine($"ingest: acks {acked} (distinct {distinct}, rejected {rejected}); after 10 % redelivery: calls {callTotal}, orders {orderTotal}, offered {offered}");
        var exact = acked == total && distinct == total && rejected == 0 && callTotal == calls && orderTotal == calls && offered == calls;
        Console.WriteLine(exact ? "ingest: nothing lost or doubled" : "ingest: MISMATCH");
        return exact;
    }

    /// <summary>utime + stime of a process (fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
    }

    internal static async Task<List<Ack>> PublishAsync(CallEventIngest.CallEventIngestClient client, List<IngestEnvelope> events)
    {
        using var call = client.Publish();
        var acks = new List<Ack>(events.Count);
        var reading = Task.Run(async () =>
        {
            await foreach (var ack in call.ResponseStream.ReadAllAsync()) acks.Add(ack);
        });
        foreach (var e in events) await call.RequestStream.WriteAsync(e);
        await call.RequestStream.CompleteAsync();
        await reading;
        return acks;
    }

    internal static IEnumerable<IngestEnvelope> Call(string callId, string agent, DateTime start)
    {
        var n = 0ul;
        IngestEnvelope E(int afterSeconds, Action<CallEvent> fill)
        {
            var e = new CallEvent
            {
                EventId = Guid.NewGuid().ToString(), CallId = callId, Sequence = ++n, NodeId = TestCredentials.TestNodeId,
                OccurredAt = Timestamp.FromDateTime(start.AddSeconds(afterSeconds)),
            };
            fill(e);
            return new IngestEnvelope { Call = e };
        }
        yield return E(0, e => e.Offered = new CallOffered { CallerNumber = "13800001111", DialedNumber = "12345", Direction = CallDirection.Inbound });
        yield return E(2, e => e.Queued = new CallQueued { Queue = "general", Position = 1, ServiceLevelMs = 15000 });
        yield return E(10, e => e.Answered = new CallAnswered { AgentId = agent, Queue = "general", WaitMs = 8000, WithinServiceLevel = true, ServiceLevelMs = 15000 });
        yield return E(70, e => e.SatisfactionRated = new SatisfactionRated { AgentId = agent, Queue = "general", Score = SatisfactionScore.Satisfied });
        yield return E(71, e => e.Ended = new CallEnded { HangupBy = HangupBy.Caller, FirstResponderAgentId = agent, TalkMs = 60000, Direction = CallDirection.Inbound });
    }
}
