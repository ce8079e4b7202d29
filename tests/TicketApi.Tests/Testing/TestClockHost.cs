using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.TestSupport;

namespace Hotline.TicketApi.Tests.Testing;

/// <summary>A real TicketApi process on the manual test clock (<c>Testing:Clock=Manual</c>), with an admin and a department key.</summary>
internal sealed class TestClockHost : IAsyncDisposable
{
    public const string AdminKey = "test-clock-admin-key-0123456789";
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);
    private readonly HostProcess _host;

    private TestClockHost(HostProcess host) => _host = host;

    public HttpClient Admin { get; private set; } = null!;
    public HttpClient Roads { get; private set; } = null!;
    public HostProcess Host => _host;

    public static async Task<TestClockHost> StartAsync(IDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["Testing:Clock"] = "Manual",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) settings[k] = v;
        // A generous start-up bound: on a shared 2-core machine a host can wait a minute for CPU before it listens.
        var host = new TestClockHost(await HostProcess.StartHealthyAsync("TicketApi", settings, TimeSpan.FromMinutes(3)));
        host.Admin = host.Client(AdminKey);
        host.Roads = host.Client(await host.CreateKeyAsync("roads-desk", "department", "roads"));
        return host;
    }

    public HttpClient Client(string key)
    {
        var http = new HttpClient { BaseAddress = _host.HttpUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    public async Task<string> CreateKeyAsync(string name, string role, string? departmentId = null)
    {
        var response = await Admin.PostAsJsonAsync("/api/keys", new { name, role, departmentId });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    public async Task<DateTimeOffset> NowAsync() =>
        (await Admin.GetFromJsonAsync<JsonElement>("/api/testing/clock")).GetProperty("utcNow").GetDateTimeOffset();

    public async Task<DateTimeOffset> SetClockAsync(DateTimeOffset at)
    {
        var response = await Admin.PostAsJsonAsync("/api/testing/clock", new { set = at });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("utcNow").GetDateTimeOffset();
    }

    /// <summary>
    /// Moves the clock to a Monday 10:00 Beijing time at least a week after the clock's present (the clock never goes back,
    /// so each test takes a fresh week of its own and no test depends on another's order).
    /// </summary>
    public async Task<DateTimeOffset> MondayMorningAsync()
    {
        var local = (await NowAsync()).ToOffset(Beijing).Date.AddDays(7);
        while (local.DayOfWeek != DayOfWeek.Monday) local = local.AddDays(1);
        return await SetClockAsync(new DateTimeOffset(local.AddHours(10), Beijing));
    }

    public async Task<JsonElement> PostAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, $"POST {path}: {(int)response.StatusCode} {text}");
        var json = JsonDocument.Parse(text).RootElement;
        return json.TryGetProperty("order", out var order) ? order : json;
    }

    public async Task<JsonElement> OrderAsync(long id) =>
        (await Admin.GetFromJsonAsync<JsonElement>($"/api/workorders/{id}")).GetProperty("order");

    /// <summary>A complaint registered and dispatched to "roads" now (on the test clock).</summary>
    public async Task<JsonElement> DispatchedComplaintAsync(string content)
    {
        var order = await PostAsync(Admin, "/api/workorders", new { channel = "Phone", kind = "Matter", content, nature = "complaint", category = "urban-construction-environment" });
        return await PostAsync(Admin, $"/api/workorders/{order.GetProperty("id").GetInt64()}/dispatch", new { departmentId = "roads", nature = "complaint" });
    }

    public async Task<JsonElement> MetricsTotalAsync(DateTimeOffset from, DateTimeOffset to) =>
        (await Admin.GetFromJsonAsync<JsonElement>(
            $"/api/metrics?from={Uri.EscapeDataString(from.UtcDateTime.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(to.UtcDateTime.ToString("O", CultureInfo.InvariantCulture))}"))
        .GetProperty("total");

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        Roads?.Dispose();
        await _host.DisposeAsync();
    }
}
