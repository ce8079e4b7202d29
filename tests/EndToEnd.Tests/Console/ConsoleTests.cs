using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.TestSupport;
using Microsoft.Playwright;

namespace Hotline.EndToEnd.Tests.Console;

/// <summary>
/// The web console in real Chromium against the real TicketApi process. TicketApi's live figures come from
/// <see cref="StatsFeedServer"/> (a real gRPC WatchStats stream on loopback, see WallboardTests for why).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class ConsoleTests
{
    private const string AdminKey = "e2e-console-admin-key-0123";
    private StatsFeedServer _feed = null!;
    private HostProcess _host = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _feed = await StatsFeedServer.StartAsync();
        _host = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string>
        {
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["AcdEngine:Url"] = _feed.Url.ToString(),
        });
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        if (_feed is not null) await _feed.DisposeAsync();
    }

    [SetUp]
    public async Task NewPageAsync()
    {
        _context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        _page = await _context.NewPageAsync();
        _page.SetDefaultTimeout(15_000);
        // Issue 14: the pages run under a CSP without 'unsafe-inline'; Chromium reports anything it blocks on the console.
        _cspViolations.Clear();
        _page.Console += (_, m) => { if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) _cspViolations.Add(m.Text); };
    }

    private readonly List<string> _cspViolations = [];

    [TearDown]
    public async Task ClosePageAsync()
    {
        await _context.DisposeAsync();
        Assert.That(_cspViolations, Is.Empty, "the console ran without Content-Security-Policy violations");
    }

    private HttpClient Client(string key)
    {
        var http = new HttpClient { BaseAddress = _host.HttpUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    private async Task<string> CreateKeyAsync(string name, string role, string? department = null)
    {
        using var admin = Client(AdminKey);
        using var response = await admin.PostAsJsonAsync("/api/keys", new { name = name + "-" + Guid.NewGuid().ToString("N")[..6], role, departmentId = department });
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

    private async Task<long> RegisterOrderAsync(HttpClient agent, string content, string nature = "complaint")
    {
        var order = await PostOkAsync(agent, "/api/workorders", new
        {
            channel = "Phone", content, nature, category = "urban-construction-environment",
            callerName = "Li Lei", callerNumber = "13900001234", address = "12 Garden Road",
        });
        return order.GetProperty("id").GetInt64();
    }
}
