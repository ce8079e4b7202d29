using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.TicketApi;

/// <summary>The REST API of the real TicketApi process: roles, department isolation, problem details, OpenAPI.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class RestApiTests
{
    private const string AdminKey = "e2e-admin-key-0123456789";
    private HostProcess _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _host = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string> { ["Auth:BootstrapAdminKey"] = AdminKey });

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private HttpClient Client(string? key)
    {
        var http = new HttpClient { BaseAddress = _host.HttpUrl };
        if (key is not null) http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    private async Task<string> CreateKeyAsync(string name, string role, string? department = null)
    {
        using var admin = Client(AdminKey);
        using var response = await admin.PostAsJsonAsync("/api/keys", new { name, role, departmentId = department });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private static async Task<JsonElement> PostOkAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, text);
        return JsonDocument.Parse(text).RootElement;
    }

    [Test]
    public async Task A_department_sees_only_its_own_orders_and_never_a_reporters_identity()
    {
        var agent = Client(await CreateKeyAsync("agent-1", "agent"));
        var roads = Client(await CreateKeyAsync("roads-desk", "department", "roads"));
        var water = Client(await CreateKeyAsync("water-desk", "department", "water"));
        var order = await PostOkAsync(agent, "/api/workorders", new
        {
            channel = "Phone", content = "Illegal dumping at night", nature = "report", category = "urban-construction-environment",
            callerName = "Han Meimei", callerNumber = "13900003333",
        });
        var id = order.GetProperty("id").GetInt64();
        await PostOkAsync(agent, $"/api/workorders/{id}/dispatch", new { departmentId = "roads" });

        using var asWater = await water.GetAsync($"/api/workorders/{id}");
        var waterList = await water.GetFromJsonAsync<JsonElement>("/api/workorders?department=roads");
        var asRoads = await roads.GetFromJsonAsync<JsonElement>($"/api/workorders/{id}");
        var roadsList = await roads.GetFromJsonAsync<JsonElement>("/api/workorders");
        var asAgent = await agent.GetFromJsonAsync<JsonElement>($"/api/workorders/{id}");
        using var waterReply = await water.PostAsJsonAsync($"/api/workorders/{id}/reply", new { reply = "not us" });
        Assert.Multiple(() =>
        {
            Assert.That(asWater.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(asWater.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(waterList.GetProperty("total").GetInt32(), Is.Zero, "the department filter cannot widen a department's view");
            Assert.That(waterReply.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(asRoads.GetProperty("order").GetProperty("callerNumber").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(asRoads.GetProperty("order").GetProperty("callerName").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(asRoads.GetProperty("order").GetProperty("reporterHidden").GetBoolean(), Is.True);
            Assert.That(roadsList.GetProperty("items")[0].GetProperty("callerNumber").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(asAgent.GetProperty("order").GetProperty("callerNumber").GetString(), Is.EqualTo("13900003333"));
            Assert.That(asAgent.GetProperty("audit").GetArrayLength(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Lifecycle_over_rest_with_an_illegal_step_answered_409_saying_why()
    {
        var agent = Client(await CreateKeyAsync("agent-2", "agent"));
        var parks = Client(await CreateKeyAsync("parks-desk", "department", "parks"));
        var id = (await PostOkAsync(agent, "/api/workorders", new { channel = "Sms", content = "Bench broken", nature = "complaint" })).GetProperty("id").GetInt64();
        await PostOkAsync(agent, $"/api/workorders/{id}/dispatch", new { departmentId = "parks" });
        await PostOkAsync(parks, $"/api/workorders/{id}/extension", new { days = 3, reason = "waiting for parts" });
        await PostOkAsync(agent, $"/api/workorders/{id}/extension/decision", new { approve = true, reason = "ok" });
        await PostOkAsync(parks, $"/api/workorders/{id}/reply", new { reply = "Bench repaired" });
        using var archiveEarly = await agent.PostAsync($"/api/workorders/{id}/archive", null);
        var problem = await archiveEarly.Content.ReadFromJsonAsync<JsonElement>();
        await PostOkAsync(agent, $"/api/workorders/{id}/review", new { note = "fine" });
        await PostOkAsync(agent, $"/api/workorders/{id}/callback", new { satisfaction = "Satisfied" });
        var archived = await PostOkAsync(agent, $"/api/workorders/{id}/archive", new { });
        Assert.Multiple(() =>
        {
            Assert.That(archiveEarly.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("only a closed or called-back order can be archived"));
            Assert.That(archived.GetProperty("status").GetString(), Is.EqualTo("Archived"));
            Assert.That(archived.GetProperty("extensionsGranted").GetInt32(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Bad_input_is_a_problem_naming_the_field_and_changes_nothing()
    {
        var agent = Client(await CreateKeyAsync("agent-3", "agent"));
        using var noContent = await agent.PostAsJsonAsync("/api/workorders", new { channel = "Fax", content = "", nature = "gossip" });
        var body = await noContent.Content.ReadFromJsonAsync<JsonElement>();
        using var badEnum = await agent.PostAsJsonAsync("/api/workorders", new { channel = "Pigeon", content = "x" });
        var enumBody = await badEnum.Content.ReadFromJsonAsync<JsonElement>();
        using var badExtension = await agent.PostAsJsonAsync("/api/workorders/1/extension", new { days = 9, reason = "x" });
        using var badMetrics = await agent.GetAsync("/api/metrics?from=2026-11-02&to=2026-11-01&groupBy=weather");
        var metricsBody = await badMetrics.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Multiple(() =>
        {
            Assert.That(noContent.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(noContent.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(body.GetProperty("errors").TryGetProperty("content", out _), Is.True);
            Assert.That(body.GetProperty("errors").TryGetProperty("nature", out _), Is.True);
            Assert.That(badEnum.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(enumBody.GetProperty("errors").TryGetProperty("channel", out _), Is.True);
            Assert.That(badExtension.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "agents do not act for departments");
            Assert.That(metricsBody.GetProperty("errors").TryGetProperty("groupBy", out _), Is.True);
            Assert.That(metricsBody.GetProperty("errors").TryGetProperty("from", out _), Is.True);
        });
    }

    [Test]
    public async Task Keys_and_roles_are_enforced()
    {
        var agentKey = await CreateKeyAsync("agent-4", "agent");
        using var anonymous = await Client(null).GetAsync("/api/workorders");
        using var wrongKey = await Client("not-a-key").GetAsync("/api/workorders");
        using var agentMakesKey = await Client(agentKey).PostAsJsonAsync("/api/keys", new { name = "x", role = "admin" });
        var department = Client(await CreateKeyAsync("roads-2", "department", "roads"));
        using var departmentMetrics = await department.GetAsync("/api/metrics?from=2026-11-01&to=2026-12-01");
        using var openApi = await Client(null).GetAsync("/openapi/v1.json");
        var doc = await openApi.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(wrongKey.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(agentMakesKey.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(departmentMetrics.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(openApi.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(doc, Does.Contain("/api/workorders/{id}/dispatch").And.Contain("/api/metrics"));
        });
    }
}
