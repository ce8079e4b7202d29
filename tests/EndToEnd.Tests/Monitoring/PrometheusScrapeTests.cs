using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Monitoring;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c>) scrapes both programs every second with the bearer of
/// <c>Metrics:BearerSha256</c>; a real sipp caller queues and hangs up, and Prometheus's HTTP API
/// (<c>/api/v1/query</c>) shows the engine's offered and abandoned counters, its SIP counters and TicketApi's ingest
/// counter moving. Without the bearer both programs answer 401 (docs/operations.md "Monitoring").
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class PrometheusScrapeTests
{
    private const string ScrapeToken = "e2e-prometheus-scrape-token-0123456789";

    [Test]
    public async Task Prometheus_scrapes_both_programs_with_the_bearer_and_a_call_moves_the_counters()
    {
        if (!File.Exists("/usr/bin/prometheus")) Assert.Ignore("prometheus is not installed (tools/install-peers.sh test)");
        var work = Path.Combine(Path.GetTempPath(), "hotline-prom-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var metrics = new Dictionary<string, string> { ["Metrics:BearerSha256"] = TestCredentials.Sha256Hex(ScrapeToken) };
        await using var redis = await RedisServer.StartAsync();
        var sipPort = FreePort.Next();
        var ticketGrpc = $"http://127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}";
        // Side by side (the engine's ingest retries a refused connection every second until TicketApi listens).
        var hosts = await HostProcess.StartHealthyTogetherAsync(
            ("TicketApi", new Dictionary<string, string>(metrics) { ["Kestrel:Endpoints:Grpc:Url"] = ticketGrpc }),
            ("AcdEngine", new Dictionary<string, string>(metrics)
        {
            ["Sip:Port"] = sipPort.ToString(CultureInfo.InvariantCulture),
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["TicketApi:Url"] = ticketGrpc,
            ["Acd:Greeting"] = "",
            // No phone registers: the agents stay not ready, so the caller waits in the queue and abandons.
            ["Acd:ReadyNeedsRegisteredPhone"] = "true",
        }));
        await using var ticket = hosts[0];
        await using var engine = hosts[1];

        using (var anonymous = new HttpClient())
        {
            foreach (var host in new[] { engine, ticket })
            {
                using var none = await anonymous.GetAsync(new Uri(host.HttpUrl, "/metrics"));
                Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), host.Project + " without a bearer");
                using var wrong = new HttpRequestMessage(HttpMethod.Get, new Uri(host.HttpUrl, "/metrics"));
                wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
                using var refused = await anonymous.SendAsync(wrong);
                Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), host.Project + " with a wrong bearer");
            }
        }

        var promPort = FreePort.Next();
        var config = Path.Combine(work, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: acdengine
                authorization: {"{"} type: Bearer, credentials: {ScrapeToken} {"}"}
                static_configs: [{"{"} targets: ['127.0.0.1:{engine.HttpPort}'] {"}"}]
              - job_name: ticketapi
                authorization: {"{"} type: Bearer, credentials: {ScrapeToken} {"}"}
                static_configs: [{"{"} targets: ['127.0.0.1:{ticket.HttpPort}'] {"}"}]
            """);
        await using var prometheus = PeerProcess.Start("prometheus",
        [
            "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(work, "data"),
            "--web.listen-address=127.0.0.1:" + promPort.ToString(CultureInfo.InvariantCulture), "--log.level=warn",
        ], workingDirectory: work);
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{promPort}") };
        try
        {
            await WaitForAsync(api, "sum(up{job=~\"acdengine|ticketapi\"})", v => v >= 2, prometheus);

            await using var caller = SippPeer.Start(sipPort, FreePort.Next(), ["-sn", "uac", "-s", "12345"], "-m", "1", "-d", "2000");
            var (code, output) = await caller.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(code, Is.Zero, output);

            await WaitForAsync(api, "sum(hotline_calls_offered_total{job=\"acdengine\",queue=\"general\"})", v => v >= 1, prometheus);
            await WaitForAsync(api, "sum(hotline_calls_abandoned_total{job=\"acdengine\"})", v => v >= 1, prometheus);
            await WaitForAsync(api, "sum(hotline_sip_requests_total{job=\"acdengine\",method=\"INVITE\",direction=\"in\"})", v => v >= 1, prometheus);
            await WaitForAsync(api, "sum(hotline_sip_responses_total{job=\"acdengine\",status=\"200\",direction=\"out\"})", v => v >= 1, prometheus);
            await WaitForAsync(api, "sum(hotline_ingest_events_total{job=\"ticketapi\",result=\"accepted\"})", v => v >= 1, prometheus);
            await WaitForAsync(api, "sum(hotline_agents{job=\"acdengine\",state=\"NotReady\"})", v => v >= 2, prometheus);
            await WaitForAsync(api, "sum(hotline_outbox_pending{job=\"acdengine\"})", v => v == 0, prometheus);
            // The greeting was played by the media clock: its send lateness is a real histogram.
            await WaitForAsync(api, "sum(hotline_rtp_send_lateness_seconds_count{job=\"acdengine\"})", v => v >= 1, prometheus);
            await WaitForAsync(api, "count(hotline_rtp_send_lateness_seconds_bucket{job=\"acdengine\"})", v => v >= 9, prometheus);
            await AssertDashboardQueriesAsync(api);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>Series that exist only once their first event happened (no answer, no refused stream, no overdue order here).</summary>
    private static readonly HashSet<string> AfterFirstEvent =
    [
        "hotline_calls_answered_total", "hotline_calls_answered_within_15s_total", "hotline_calls_answer_wait_seconds_bucket",
        "hotline_ingest_refused_total", "hotline_workorders_overdue", "hotline_sip_retransmissions_total",
    ];

    /// <summary>
    /// deploy/grafana/hotline-dashboard.json: every panel's query is valid PromQL for this Prometheus, and every series
    /// it names is one the programs export (so a renamed metric cannot leave an empty panel behind).
    /// </summary>
    private static async Task AssertDashboardQueriesAsync(HttpClient api)
    {
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "deploy", "grafana", "hotline-dashboard.json")));
        using var names = JsonDocument.Parse(await api.GetStringAsync("/api/v1/label/__name__/values"));
        var exported = names.RootElement.GetProperty("data").EnumerateArray().Select(n => n.GetString()!).ToHashSet(StringComparer.Ordinal);
        var queries = 0;
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                var expr = target.GetProperty("expr").GetString()!.Replace("$queue", ".*", StringComparison.Ordinal);
                using var response = await api.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(expr));
                Assert.That(response.IsSuccessStatusCode, Is.True, $"{panel.GetProperty("title")}: {expr}\n{await response.Content.ReadAsStringAsync()}");
                foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(expr, @"\bhotline_[a-z0-9_]+"))
                    Assert.That(exported.Contains(m.Value) || AfterFirstEvent.Contains(m.Value), Is.True,
                        $"{panel.GetProperty("title")} uses {m.Value}, which neither program exports; exported: {string.Join(", ", exported.Where(n => n.StartsWith("hotline_", StringComparison.Ordinal)))}");
                queries++;
            }
        Assert.That(queries, Is.GreaterThan(15));
    }

    /// <summary>
    /// Polls Prometheus's instant query until <paramref name="expected"/> holds: a scrape is a clock in another
    /// process, there is no event to await.
    /// </summary>
    private static async Task WaitForAsync(HttpClient api, string query, Func<double, bool> expected, PeerProcess prometheus)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        var last = "(no answer)";
        do
        {
            if (prometheus.HasExited) Assert.Fail("prometheus exited: " + prometheus.Output);
            try
            {
                var json = await api.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query), cts.Token);
                last = json;
                using var doc = JsonDocument.Parse(json);
                var result = doc.RootElement.GetProperty("data").GetProperty("result");
                if (result.GetArrayLength() > 0
                    && double.TryParse(result[0].GetProperty("value")[1].GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                    && expected(value))
                    return;
            }
            catch (HttpRequestException)
            {
                // Prometheus not listening yet.
            }
        }
        while (await tick.WaitForNextTickAsync(cts.Token).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default));
        Assert.Fail($"Prometheus never answered {query} as expected; last answer: {last}");
    }
}
