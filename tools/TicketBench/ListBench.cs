using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.TestSupport;

namespace Hotline.TicketBench;

/// <summary>
/// Seeds a month of <c>calls</c> calls (the metrics fixture: about 950,000 work orders for a million calls) and times
/// <c>GET /api/workorders</c> through HTTP with each filter the console uses, then three keyset pages (<c>afterId</c>).
/// </summary>
internal static class ListBench
{
    private const double TargetMs = 100;

    public static async Task<bool> RunAsync(HostProcess host, string adminKey, int calls)
    {
        var db = Path.Combine(host.DataPath, "tickets.db");
        var seed = Stopwatch.StartNew();
        var (orders, _) = MetricsBench.Seed(db, calls);
        Console.WriteLine($"list: seeded {orders} work orders in {seed.Elapsed.TotalSeconds:F1} s");

        using var http = new HttpClient { BaseAddress = host.HttpUrl, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Add("X-Api-Key", adminKey);
        var ok = true;
        string[] queries =
        [
            "", "status=Closed", "status=Dispatched", "department=dept-7", "department=dept-7&status=CalledBack", "overdue=true",
            "from=2026-11-10T00:00:00%2B08:00&to=2026-11-17T00:00:00%2B08:00",
            "from=2026-11-10T00:00:00%2B08:00&to=2026-11-17T00:00:00%2B08:00&status=CalledBack&department=dept-3",
            "status=Closed&page=40",
        ];
        foreach (var q in queries)
        {
            var (median, max, page) = await TimeAsync(http, "/api/workorders?pageSize=50&" + q);
            Console.WriteLine($"list: {(q == "" ? "(no filter)" : q),-100} median {median,6:F1} ms, max {max,6:F1} ms; items {page.GetProperty("items").GetArrayLength()}, total {page.GetProperty("total").GetInt32()}{(page.GetProperty("totalCapped").GetBoolean() ? "+" : "")}");
            ok &= median < TargetMs;
        }
        // Keyset: follow nextAfterId three pages deep under a status filter; each page must carry on where the last stopped.
        long? after = null;
        long lastId = long.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var url = "/api/workorders?pageSize=50&status=Closed" + (after is null ? "" : $"&afterId={after}");
            var (median, max, page) = await TimeAsync(http, url);
            var ids = page.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetInt64()).ToList();
            var ordered = ids.Count == 50 && ids[0] < lastId && ids.SequenceEqual(ids.OrderByDescending(x => x));
            Console.WriteLine($"list: keyset page {i + 1} (afterId={after?.ToString() ?? "-"}) median {median,6:F1} ms, max {max,6:F1} ms; ids {ids.FirstOrDefault()}…{ids.LastOrDefault()}{(ordered ? "" : " NOT IN ORDER")}");
            ok &= median < TargetMs && ordered;
            lastId = ids.LastOrDefault();
            after = page.GetProperty("nextAfterId").GetInt64();
        }
        return ok;
    }

    private static async Task<(double Median, double Max, JsonElement Page)> TimeAsync(HttpClient http, string url)
    {
        var times = new List<double>();
        JsonElement page = default;
        for (var i = 0; i < 6; i++)
        {
            var sw = Stopwatch.StartNew();
            page = await http.GetFromJsonAsync<JsonElement>(url);
            sw.Stop();
            if (i > 0) times.Add(sw.Elapsed.TotalMilliseconds);   // the first run warms the caches
        }
        times.Sort();
        return (times[times.Count / 2], times[^1], page);
    }
}
