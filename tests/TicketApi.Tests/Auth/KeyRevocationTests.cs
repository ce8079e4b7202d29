using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.TestSupport;

namespace Hotline.TicketApi.Tests.Auth;

/// <summary>Issue 7: an admin lists keys and revokes one; the revoked key is refused on its very next request; who did it is kept.</summary>
[TestFixture]
public sealed class KeyRevocationTests
{
    private const string AdminKey = "revocation-admin-key-0123456789";
    private HostProcess _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _host = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string>
    {
        ["Auth:BootstrapAdminKey"] = AdminKey,
        ["Serilog:MinimumLevel:Default"] = "Warning",
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private HttpClient Client(string key)
    {
        var http = new HttpClient { BaseAddress = _host.HttpUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    private async Task<(long Id, string Secret)> CreateKeyAsync(string name, string role)
    {
        using var admin = Client(AdminKey);
        var response = await admin.PostAsJsonAsync("/api/keys", new { name, role });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetInt64(), created.GetProperty("key").GetString()!);
    }

    [Test]
    public async Task A_revoked_key_gets_401_at_once_and_the_list_shows_who_revoked_it()
    {
        var (id, secret) = await CreateKeyAsync("agent-07", "agent");
        var (_, other) = await CreateKeyAsync("agent-08", "agent");
        using var agent = Client(secret);
        using var admin = Client(AdminKey);
        Assert.That((await agent.GetAsync("/api/workorders")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "valid before revocation");

        var revoke = await admin.PostAsJsonAsync($"/api/keys/{id}/revoke", new { reason = "laptop lost" });
        Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Assert.That((await agent.GetAsync("/api/workorders")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "refused on the next request");
        using var stillValid = Client(other);
        Assert.That((await stillValid.GetAsync("/api/workorders")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "other keys unaffected");

        var listText = await admin.GetStringAsync("/api/keys");
        var listed = JsonDocument.Parse(listText).RootElement.EnumerateArray().Single(k => k.GetProperty("id").GetInt64() == id);
        Assert.Multiple(() =>
        {
            Assert.That(listed.GetProperty("revokedBy").GetString(), Is.EqualTo("bootstrap-admin"));
            Assert.That(listed.GetProperty("revokedReason").GetString(), Is.EqualTo("laptop lost"));
            Assert.That(listed.GetProperty("revokedAt").ValueKind, Is.EqualTo(JsonValueKind.String));
            Assert.That(listed.GetProperty("createdBy").GetString(), Is.EqualTo("bootstrap-admin"));
            Assert.That(listText, Does.Not.Contain(secret).And.Not.Contain("keyHash"), "neither the secret nor its hash is listed");
        });
    }

    [Test]
    public async Task Revoking_twice_is_a_409_an_unknown_key_a_404_and_only_an_admin_may_revoke_or_list()
    {
        var (id, _) = await CreateKeyAsync("supervisor-01", "supervisor");
        var (_, supervisorSecret) = await CreateKeyAsync("supervisor-02", "supervisor");
        using var admin = Client(AdminKey);
        using var supervisor = Client(supervisorSecret);

        Assert.That((await supervisor.PostAsJsonAsync($"/api/keys/{id}/revoke", new { })).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await supervisor.GetAsync("/api/keys")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await admin.PostAsJsonAsync($"/api/keys/{id}/revoke", new { })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var again = await admin.PostAsJsonAsync($"/api/keys/{id}/revoke", new { });
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await again.Content.ReadAsStringAsync(), Does.Contain("bootstrap-admin"));
        Assert.That((await admin.PostAsJsonAsync("/api/keys/999999/revoke", new { })).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var tooLong = await admin.PostAsJsonAsync($"/api/keys/{id}/revoke", new { reason = new string('x', 401) });
        Assert.That(tooLong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await tooLong.Content.ReadAsStringAsync(), Does.Contain("reason"));
    }
}
