using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.EndToEnd.Tests.TicketApi;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hotline.EndToEnd.Tests.Console;

/// <summary>
/// Issue 17's quality review in real Chromium against the real TicketApi: recorded calls arrive through the real ingest,
/// a supervisor opens the agent's monthly sample on /quality, is told which field is wrong, scores a call, and the score
/// shows in the sample, on /reports and on the agent's own desk.
/// </summary>
public sealed partial class ConsoleTests
{
    private static readonly PageAssertionsToHaveURLOptions UrlWait = new() { Timeout = 15_000 };
    private static readonly LocatorAssertionsToHaveTextOptions TextWait = new() { Timeout = 15_000 };

    [Test]
    public async Task A_supervisor_scores_a_sampled_call_on_the_quality_page_and_the_score_reaches_the_report_and_the_desk()
    {
        var agent = "q" + Guid.NewGuid().ToString("N")[..8];
        using var channel = GrpcChannel.ForAddress(_host.GrpcUrl, new GrpcChannelOptions { HttpHandler = _host.Credentials() });
        var ingest = new CallEventIngest.CallEventIngestClient(channel);
        var start = DateTime.UtcNow.AddMinutes(-10);
        var callIds = Enumerable.Range(0, 3).Select(i => $"qual-{agent}-{i}").ToList();
        var events = callIds.SelectMany((id, i) => RecordedCall(id, agent, start.AddSeconds(i * 90))).ToList();
        var acks = await TicketEvents.PublishAsync(ingest, events, CancellationToken.None);
        Assert.That(acks.All(a => a.Accepted), Is.True, string.Join("; ", acks.Where(a => !a.Accepted).Select(a => a.Error)));

        var supervisorKey = await CreateKeyAsync("quality-sup", "supervisor");
        using (var supervisor = Client(supervisorKey)) await WaitForRecordedCallsAsync(supervisor, agent, 3);

        await Chromium.SignInAsync(_page, _host.HttpUrl, supervisorKey, "/quality");
        await Expect(_page.Locator("#nav a[href='/quality']")).ToHaveClassAsync("active", new() { Timeout = 15_000 });
        var agentRow = _page.Locator($"#agents tr[data-agent='{agent}']");
        await Expect(agentRow.Locator("td").Nth(1)).ToHaveTextAsync("3", TextWait);
        await agentRow.Locator("button").ClickAsync(new() { Timeout = 15_000 });
        var rows = _page.Locator("#sample-calls tbody tr[data-call-id]");
        await Expect(rows).ToHaveCountAsync(3, new() { Timeout = 15_000 });
        await Expect(_page.Locator("#sample-draw")).ToHaveTextAsync("(draw 1)", TextWait);

        var row = _page.Locator($"#sample-calls tr[data-call-id='{callIds[1]}']");
        await row.Locator("button.score-button").ClickAsync(new() { Timeout = 15_000 });
        await Expect(_page.Locator("#score")).ToBeVisibleAsync(new() { Timeout = 15_000 });

        // A bad value: the form names the field and nothing is stored.
        await _page.FillAsync("#q-greeting", "30", new() { Timeout = 15_000 });
        await _page.FillAsync("#q-attitude", "20", new() { Timeout = 15_000 });
        await _page.FillAsync("#q-accuracy", "18", new() { Timeout = 15_000 });
        await _page.FillAsync("#q-hold", "25", new() { Timeout = 15_000 });
        await _page.ClickAsync("#score-save", new() { Timeout = 15_000 });
        await Expect(_page.Locator("#score .error[data-for=greeting]")).ToContainTextAsync("0 to 25", new() { Timeout = 15_000 });
        await Expect(row.Locator(".total")).ToHaveTextAsync("—", TextWait);

        await _page.FillAsync("#q-greeting", "22", new() { Timeout = 15_000 });
        await _page.FillAsync("#q-comment", "Opening greeting without the hotline's name.", new() { Timeout = 15_000 });
        await _page.ClickAsync("#score-save", new() { Timeout = 15_000 });
        await Expect(_page.Locator("#score-saved")).ToHaveTextAsync("Saved: 85/100", TextWait);
        await Expect(row.Locator(".total")).ToHaveTextAsync("85", TextWait);
        await Expect(agentRow.Locator(".mean")).ToHaveTextAsync("85.0", TextWait);
        await Expect(_page.Locator("#score-history li")).ToContainTextAsync("85/100", new() { Timeout = 15_000 });
        await _page.ScreenshotAsync(new() { Path = Chromium.Screenshot("quality"), FullPage = true, Timeout = 15_000 });

        // The agent's quality score in the report (GET /api/metrics?groupBy=agent).
        await _page.GotoAsync(new Uri(_host.HttpUrl, "/reports").ToString(), new() { Timeout = 15_000 });
        await Expect(_page.Locator($"#quality tr[data-agent='{agent}'] .quality")).ToHaveTextAsync("85.0", TextWait);

        // The agent sees their own score on the desk.
        using (var admin = Client(AdminKey))
        {
            var created = await PostOkAsync(admin, "/api/keys", new { name = "quality-agent-" + agent, role = "agent", agentId = agent });
            var agentPage = await _context.NewPageAsync();
            agentPage.SetDefaultTimeout(15_000);
            await _context.ClearCookiesAsync();
            await agentPage.GotoAsync(new Uri(_host.HttpUrl, "/").ToString(), new() { Timeout = 15_000 });
            await agentPage.EvaluateAsync("k => sessionStorage.setItem('hotline-key', k)", created.GetProperty("key").GetString());
            await agentPage.GotoAsync(new Uri(_host.HttpUrl, "/desk").ToString(), new() { Timeout = 15_000, WaitUntil = WaitUntilState.DOMContentLoaded });
            await Expect(agentPage.Locator($"#quality-scores tr[data-call-id='{callIds[1]}'] .total")).ToHaveTextAsync("85", TextWait);
            await Expect(agentPage.Locator("#quality-summary")).ToContainTextAsync("mean 85.0/100", new() { Timeout = 15_000 });
            await agentPage.ScreenshotAsync(new() { Path = Chromium.Screenshot("desk-quality"), FullPage = true, Timeout = 15_000 });
            await agentPage.CloseAsync();
        }
    }

    private static async Task WaitForRecordedCallsAsync(HttpClient http, string agent, int count)
    {
        // Ingest commits asynchronously in another process: poll the real endpoint (no event crosses the process boundary).
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        do
        {
            var agents = await http.GetFromJsonAsync<JsonElement>("/api/quality/agents", cts.Token);
            if (agents.EnumerateArray().Any(a => a.GetProperty("agentId").GetString() == agent && a.GetProperty("answeredCalls").GetInt32() >= count)) return;
        }
        while (await ticker.WaitForNextTickAsync(cts.Token));
    }

    /// <summary>An inbound call answered by <paramref name="agent"/> and recorded (<c>rec:&lt;callId&gt;</c>, COMMON.md).</summary>
    private static List<IngestEnvelope> RecordedCall(string callId, string agent, DateTime start)
    {
        var n = 0ul;
        IngestEnvelope E(int afterSeconds, Action<CallEvent> fill)
        {
            var e = new CallEvent
            {
                EventId = Guid.NewGuid().ToString(), CallId = callId, Sequence = ++n, NodeId = "acd-e2e",
                OccurredAt = Timestamp.FromDateTime(start.AddSeconds(afterSeconds)),
            };
            fill(e);
            return new IngestEnvelope { Call = e };
        }
        return
        [
            E(0, e => e.Offered = new CallOffered { CallerNumber = "13800003333", DialedNumber = "12345", Direction = CallDirection.Inbound }),
            E(2, e => e.Queued = new CallQueued { Queue = "general", Position = 1, ServiceLevelMs = 15000 }),
            E(8, e => e.Answered = new CallAnswered { AgentId = agent, Queue = "general", WaitMs = 6000, WithinServiceLevel = true, ServiceLevelMs = 15000 }),
            E(70, e => e.Ended = new CallEnded { HangupBy = HangupBy.Caller, FirstResponderAgentId = agent, TalkMs = 62000, HoldMs = 4000, Direction = CallDirection.Inbound, Recording = "rec:" + callId }),
        ];
    }
}
