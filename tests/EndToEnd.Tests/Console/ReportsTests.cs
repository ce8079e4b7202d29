using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.EndToEnd.Tests.TicketApi;
using static Microsoft.Playwright.Assertions;

namespace Hotline.EndToEnd.Tests.Console;

public sealed partial class ConsoleTests
{
    private static readonly string[] Rates =
    [
        "connectionRate", "timelyAnswerRate", "satisfaction", "timelyDispatchRate", "onTimeReplyRate",
        "callbackSatisfactionRate", "reworkRate", "timelyCallbackRate", "averageSpeedOfAnswerSeconds",
        "smsReplyRate", "complaintRate", "replyRate",
    ];

    [Test]
    public async Task The_reports_page_shows_the_same_figures_as_the_metrics_api_with_exclusions_and_a_csv()
    {
        using var admin = Client(AdminKey);
        var month = await admin.GetFromJsonAsync<JsonElement>("/console/api/month");
        var from = month.GetProperty("from").GetDateTime();
        var to = month.GetProperty("to").GetDateTime();
        var range = $"from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}";
        var before = (await admin.GetFromJsonAsync<JsonElement>("/api/metrics?" + range)).GetProperty("total");

        // Real calls through the real ingest: four answered in time, one answered after 22 s, one abandoned in the queue.
        using var channel = GrpcChannel.ForAddress(_host.GrpcUrl, new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = _host.Credentials() });
        var ingest = new CallEventIngest.CallEventIngestClient(channel);
        var start = DateTime.UtcNow.AddMinutes(-5);
        var events = new List<IngestEnvelope>();
        for (var i = 0; i < 4; i++) events.AddRange(TicketEvents.AnsweredCall("rep-ok-" + Guid.NewGuid().ToString("N"), "1001", start.AddSeconds(i)));
        events.AddRange(Call("rep-late-" + Guid.NewGuid().ToString("N"), start, answeredAfterMs: 22_000));
        events.AddRange(Call("rep-abandoned-" + Guid.NewGuid().ToString("N"), start, answeredAfterMs: null));
        var acks = await TicketEvents.PublishAsync(ingest, events, CancellationToken.None);
        Assert.That(acks.All(a => a.Accepted), Is.True, string.Join("; ", acks.Where(a => !a.Accepted).Select(a => a.Error)));

        await PostOkAsync(admin, "/api/metrics/exclusions", new { from = from.AddHours(1), to = from.AddHours(2), reason = "switch failure (e2e)" });
        var metrics = await WaitForMetricsAsync(admin, range, offered: before.GetProperty("offered").GetInt64() + 6);

        var supervisorKey = await CreateKeyAsync("supervisor", "supervisor");
        await Chromium.SignInAsync(_page, _host.HttpUrl, supervisorKey, "/reports");
        await Expect(_page.Locator("[data-indicator=connectionRate] .value")).Not.ToHaveTextAsync("");
        var total = metrics.GetProperty("total");
        foreach (var rate in Rates)
        {
            var cell = _page.Locator($"[data-indicator={rate}] .value");
            var api = total.GetProperty(rate);
            var shown = await cell.GetAttributeAsync("data-value");
            if (api.ValueKind == JsonValueKind.Null)
            {
                Assert.That(shown, Is.Empty, rate);
                await Expect(cell).ToHaveTextAsync("—");
            }
            else
            {
                Assert.That(double.Parse(shown!, CultureInfo.InvariantCulture), Is.EqualTo(api.GetDouble()), rate);
                if (rate != "averageSpeedOfAnswerSeconds")
                    await Expect(cell).ToHaveTextAsync((api.GetDouble() * 100).ToString("F1", CultureInfo.InvariantCulture) + " %");
            }
        }
        Assert.Multiple(() =>
        {
            Assert.That(total.GetProperty("answered").GetInt64() - before.GetProperty("answered").GetInt64(), Is.EqualTo(5), "the calls arrived");
            Assert.That(total.GetProperty("answeredWithinServiceLevel").GetInt64() - before.GetProperty("answeredWithinServiceLevel").GetInt64(), Is.EqualTo(4));
            Assert.That(total.GetProperty("connectionRate").GetDouble(), Is.LessThan(0.95), "an abandoned call among few: below target");
        });
        await Expect(_page.Locator("[data-indicator=connectionRate]")).ToHaveClassAsync("below");
        await Expect(_page.Locator("#exclusions")).ToContainTextAsync("switch failure (e2e)");
        await Expect(_page.Locator("#by-day svg rect.answered")).ToHaveCountAsync(DateTime.DaysInMonth(from.AddDays(1).Year, from.AddDays(1).Month));
        await Expect(_page.Locator("#by-hour svg rect.offered")).ToHaveCountAsync(24);
        await _page.ScreenshotAsync(new() { Path = Chromium.Screenshot("reports"), FullPage = true });

        var download = await _page.RunAndWaitForDownloadAsync(() => _page.ClickAsync("#csv"));
        var csvPath = Path.Combine(Path.GetTempPath(), "hotline-console-" + Guid.NewGuid().ToString("N") + ".csv");
        await download.SaveAsAsync(csvPath);
        var csv = await File.ReadAllTextAsync(csvPath);
        File.Delete(csvPath);
        Assert.That(csv, Does.Contain("1001").And.Contain("switch failure (e2e)"));
    }

    private static async Task<JsonElement> WaitForMetricsAsync(HttpClient http, string range, long offered)
    {
        // Ingest commits asynchronously in another process: poll the real endpoint (no event crosses the process boundary).
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        JsonElement last;
        do
        {
            last = await http.GetFromJsonAsync<JsonElement>("/api/metrics?" + range, cts.Token);
            if (last.GetProperty("total").GetProperty("offered").GetInt64() >= offered) return last;
        }
        while (await ticker.WaitForNextTickAsync(cts.Token));
        return last;
    }

    /// <summary>An inbound call queued in "general" and answered after <paramref name="answeredAfterMs"/>, or abandoned (null).</summary>
    private static List<IngestEnvelope> Call(string callId, DateTime start, int? answeredAfterMs, string? recording = null)
    {
        var n = 0ul;
        IngestEnvelope E(double afterSeconds, Action<CallEvent> fill)
        {
            var e = new CallEvent
            {
                EventId = Guid.NewGuid().ToString(), CallId = callId, Sequence = ++n, NodeId = "acd-e2e",
                OccurredAt = Timestamp.FromDateTime(start.AddSeconds(afterSeconds)),
            };
            fill(e);
            return new IngestEnvelope { Call = e };
        }
        var list = new List<IngestEnvelope>
        {
            E(0, e => e.Offered = new CallOffered { CallerNumber = "13800002222", DialedNumber = "12345", Direction = CallDirection.Inbound }),
            E(2, e => e.Queued = new CallQueued { Queue = "general", Position = 1, ServiceLevelMs = 15000 }),
        };
        if (answeredAfterMs is { } wait)
        {
            list.Add(E(2 + wait / 1000.0, e => e.Answered = new CallAnswered { AgentId = "1002", Queue = "general", WaitMs = (uint)wait, WithinServiceLevel = wait <= 15000, ServiceLevelMs = 15000 }));
            list.Add(E(90, e => e.Ended = new CallEnded { HangupBy = HangupBy.Caller, FirstResponderAgentId = "1002", TalkMs = 60000, Direction = CallDirection.Inbound, Recording = recording ?? "" }));
        }
        else
        {
            list.Add(E(30, e => e.Abandoned = new CallAbandoned { Queue = "general", WaitMs = 28_000, Where = AbandonPoint.Queue }));
            list.Add(E(30, e => e.Ended = new CallEnded { HangupBy = HangupBy.Caller, Direction = CallDirection.Inbound }));
        }
        return list;
    }
}
