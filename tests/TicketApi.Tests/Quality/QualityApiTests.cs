using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.TestSupport;
using Hotline.TicketApi.Data;
using Microsoft.EntityFrameworkCore;
using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.Quality;

/// <summary>
/// Issue 17's quality review over HTTP against a real TicketApi process: supervisors score, an agent reads only their
/// own scores, departments have no part, and a bad score is refused naming the field with nothing stored. The calls are
/// put into the process's own SQLite store (the ingest that normally writes them is tested elsewhere).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class QualityApiTests
{
    private const string AdminKey = "quality-api-admin-key-0123456789";
    private HostProcess _host = null!;
    private HttpClient _supervisor = null!, _agentA1 = null!, _agentA2 = null!, _department = null!;
    private string _month = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string>
        {
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["Serilog:MinimumLevel:Default"] = "Warning",
        }, TimeSpan.FromMinutes(3));
        using var admin = Client(AdminKey);
        _supervisor = Client(await CreateKeyAsync(admin, new { name = "sup-q", role = "supervisor" }));
        _agentA1 = Client(await CreateKeyAsync(admin, new { name = "agent-q1", role = "agent", agentId = "qa1" }));
        _agentA2 = Client(await CreateKeyAsync(admin, new { name = "agent-q2", role = "agent", agentId = "qa2" }));
        _department = Client(await CreateKeyAsync(admin, new { name = "roads-q", role = "department", departmentId = "roads" }));

        // Calls of this local month (the API's default month), in the store the process migrated at start.
        var now = DateTime.UtcNow;
        _month = new DateTimeOffset(now).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM");
        var local = new DateTimeOffset(now).ToOffset(TimeSpan.FromHours(8));
        var start = Local(local.Year, local.Month, 1, 1);
        await using var db = new SqliteTicketDbContext(new DbContextOptionsBuilder<SqliteTicketDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_host.DataPath, "tickets.db")}").Options);
        await QualityCalls.AddAsync(db, "qa1", start, 40, shuffleSeed: 7);
        await QualityCalls.AddAsync(db, "qa2", start, 5, shuffleSeed: 7);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _supervisor?.Dispose();
        _agentA1?.Dispose();
        _agentA2?.Dispose();
        _department?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
    }

    private HttpClient Client(string key)
    {
        var http = new HttpClient { BaseAddress = _host.HttpUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    private static async Task<string> CreateKeyAsync(HttpClient admin, object body)
    {
        using var response = await admin.PostAsJsonAsync("/api/keys", body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }

    private async Task<JsonElement> SampleAsync(string agent) =>
        await ReadAsync(await _supervisor.GetAsync($"/api/quality/sample?month={_month}&agentId={agent}"), HttpStatusCode.OK);

    [Test]
    public async Task A_supervisor_sees_the_same_sample_twice_and_scores_a_call_with_who_and_when_kept()
    {
        var sample = await SampleAsync("qa1");
        var again = await SampleAsync("qa1");
        var ids = sample.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("callId").GetString()).ToList();
        Assert.That(ids, Has.Count.EqualTo(30));
        Assert.That(again.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("callId").GetString()), Is.EqualTo(ids));

        var callId = ids[3]!;
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var score = await ReadAsync(await _supervisor.PostAsJsonAsync("/api/quality/scores",
            new { callId, greeting = 22, attitude = 20, accuracy = 18, holdUsage = 25, comment = "Hold announced after 30 s." }), HttpStatusCode.Created);
        Assert.Multiple(() =>
        {
            Assert.That(score.GetProperty("total").GetInt32(), Is.EqualTo(85));
            Assert.That(score.GetProperty("agentId").GetString(), Is.EqualTo("qa1"));
            Assert.That(score.GetProperty("scoredBy").GetString(), Does.StartWith("sup-q"));
            Assert.That(score.GetProperty("scoredByRole").GetString(), Is.EqualTo("supervisor"));
            Assert.That(score.GetProperty("scoredAt").GetDateTimeOffset(), Is.GreaterThan(before));
        });
        var shown = (await SampleAsync("qa1")).GetProperty("calls").EnumerateArray().Single(c => c.GetProperty("callId").GetString() == callId);
        Assert.That(shown.GetProperty("score").GetProperty("total").GetInt32(), Is.EqualTo(85));

        Assert.That(sample.GetProperty("recordedCalls").GetInt32(), Is.EqualTo(40));
        // The calls were put in without their hourly rollups: the agent is listed for their score.
        var agents = await ReadAsync(await _supervisor.GetAsync($"/api/quality/agents?month={_month}"), HttpStatusCode.OK);
        var qa1 = agents.EnumerateArray().Single(a => a.GetProperty("agentId").GetString() == "qa1");
        Assert.That(qa1.GetProperty("scored").GetInt32(), Is.GreaterThanOrEqualTo(1));
        Assert.That(qa1.GetProperty("meanScore").ValueKind, Is.EqualTo(JsonValueKind.Number));
    }

    [Test]
    public async Task An_agent_sees_only_their_own_scores_and_cannot_score_or_see_samples()
    {
        var qa2Call = (await SampleAsync("qa2")).GetProperty("calls")[0].GetProperty("callId").GetString()!;
        await ReadAsync(await _supervisor.PostAsJsonAsync("/api/quality/scores",
            new { callId = qa2Call, greeting = 25, attitude = 25, accuracy = 25, holdUsage = 20 }), HttpStatusCode.Created);

        var own = await ReadAsync(await _agentA2.GetAsync("/api/quality/scores"), HttpStatusCode.OK);
        Assert.That(own.GetProperty("agentId").GetString(), Is.EqualTo("qa2"));
        Assert.That(own.GetProperty("scores").EnumerateArray().Select(s => s.GetProperty("agentId").GetString()), Is.All.EqualTo("qa2").And.Not.Empty);

        var mine = await ReadAsync(await _agentA1.GetAsync("/api/quality/scores"), HttpStatusCode.OK);
        Assert.That(mine.GetProperty("scores").EnumerateArray().Select(s => s.GetProperty("callId").GetString()), Has.None.EqualTo(qa2Call));

        await ReadAsync(await _agentA1.GetAsync("/api/quality/scores?agentId=qa2"), HttpStatusCode.Forbidden);
        await ReadAsync(await _agentA1.GetAsync($"/api/quality/sample?month={_month}&agentId=qa1"), HttpStatusCode.Forbidden);
        await ReadAsync(await _agentA1.GetAsync($"/api/quality/calls/{qa2Call}/scores"), HttpStatusCode.Forbidden);
        await ReadAsync(await _agentA1.PostAsJsonAsync("/api/quality/scores",
            new { callId = qa2Call, greeting = 0, attitude = 0, accuracy = 0, holdUsage = 0 }), HttpStatusCode.Forbidden);
        await ReadAsync(await _agentA1.PostAsJsonAsync("/api/quality/sample/redraw", new { month = _month, agentId = "qa1" }), HttpStatusCode.Forbidden);
        await ReadAsync(await _department.GetAsync("/api/quality/scores?agentId=qa2"), HttpStatusCode.Forbidden);

        var history = await ReadAsync(await _supervisor.GetAsync($"/api/quality/calls/{qa2Call}/scores"), HttpStatusCode.OK);
        Assert.That(history.GetArrayLength(), Is.EqualTo(1), "the agent's refused score changed nothing");
    }

    [Test]
    public async Task A_bad_score_is_refused_naming_each_field_and_nothing_is_stored()
    {
        var callId = (await SampleAsync("qa1")).GetProperty("calls")[7].GetProperty("callId").GetString()!;
        var problem = await ReadAsync(await _supervisor.PostAsJsonAsync("/api/quality/scores",
            new { callId, greeting = 26, accuracy = -1, holdUsage = 10, comment = new string('x', 2001) }), HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.That(errors.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "greeting", "attitude", "accuracy", "comment" }));
        Assert.That(errors.GetProperty("attitude")[0].GetString(), Does.Contain("required"));

        var wrongType = await ReadAsync(await _supervisor.PostAsync("/api/quality/scores",
            new StringContent($$"""{"callId":"{{callId}}","greeting":"lots","attitude":1,"accuracy":1,"holdUsage":1}""", System.Text.Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest);
        Assert.That(wrongType.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "greeting" }));

        var unknown = await ReadAsync(await _supervisor.PostAsJsonAsync("/api/quality/scores",
            new { callId = "no-such-call", greeting = 1, attitude = 1, accuracy = 1, holdUsage = 1 }), HttpStatusCode.BadRequest);
        Assert.That(unknown.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "callId" }));

        var badMonth = await ReadAsync(await _supervisor.GetAsync("/api/quality/sample?month=2026-13&agentId=qa1"), HttpStatusCode.BadRequest);
        Assert.That(badMonth.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "month" }));

        var history = await ReadAsync(await _supervisor.GetAsync($"/api/quality/calls/{callId}/scores"), HttpStatusCode.OK);
        Assert.That(history.GetArrayLength(), Is.Zero, "nothing was stored");
        Assert.That((await SampleAsync("qa1")).GetProperty("calls")[7].GetProperty("score").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task The_agents_score_appears_in_the_metrics_by_agent_and_the_csv()
    {
        var callId = (await SampleAsync("qa1")).GetProperty("calls")[11].GetProperty("callId").GetString()!;
        await ReadAsync(await _supervisor.PostAsJsonAsync("/api/quality/scores",
            new { callId, greeting = 10, attitude = 10, accuracy = 10, holdUsage = 10 }), HttpStatusCode.Created);
        var bounds = await ReadAsync(await _supervisor.GetAsync($"/console/api/month?month={_month}"), HttpStatusCode.OK);
        var range = $"from={Uri.EscapeDataString(bounds.GetProperty("from").GetDateTime().ToString("O"))}&to={Uri.EscapeDataString(bounds.GetProperty("to").GetDateTime().ToString("O"))}";
        var metrics = await ReadAsync(await _supervisor.GetAsync($"/api/metrics?{range}&groupBy=agent"), HttpStatusCode.OK);
        var qa1 = metrics.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("key").GetString() == "qa1");
        Assert.That(qa1.GetProperty("qualityScored").GetInt64(), Is.GreaterThanOrEqualTo(1));
        Assert.That(qa1.GetProperty("qualityScore").ValueKind, Is.EqualTo(JsonValueKind.Number));
        var csv = await _supervisor.GetStringAsync($"/api/metrics/report.csv?month={_month}&groupBy=agent");
        Assert.That(csv.Split('\n')[0], Does.Contain("qualityScored,qualityScore"));
        Assert.That(csv.Split('\n').Any(l => l.StartsWith("qa1,", StringComparison.Ordinal)), Is.True, csv);
    }
}
