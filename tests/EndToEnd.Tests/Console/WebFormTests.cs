using System.Net.Http.Json;
using System.Text.Json;
using Hotline.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hotline.EndToEnd.Tests.Console;

/// <summary>
/// Issue 23: a citizen files a matter through the public web form in a real browser — no key; the page proves its
/// work (SHA-256 in the browser) and shows the confirmation number; the order is there with channel WebForm.
/// </summary>
[TestFixture]
public sealed class WebFormTests
{
    private const string AdminKey = "web-form-admin-key-0123456789";
    private HostProcess _host = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string>
        {
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["Intake:ProofOfWorkBits"] = "10",
            // A nature this city added (the catalogue is data): the form must offer it.
            ["Catalogue:Natures:0:Code"] = "noise",
            ["Catalogue:Natures:0:Name"] = "噪音",
            ["Catalogue:Natures:0:DeadlineWorkingDays"] = "2",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        }, TimeSpan.FromMinutes(3));
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _host.DisposeAsync();
    }

    /// <summary>docs/screenshots only when asked (HOTLINE_REFRESH_SCREENSHOTS=1); otherwise a temp folder.</summary>
    private static string ScreenshotPath(string name) =>
        Environment.GetEnvironmentVariable("HOTLINE_REFRESH_SCREENSHOTS") == "1"
            ? Chromium.Screenshot(name)
            : Path.Combine(Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "hotline-screenshots")).FullName, name + ".png");

    [Test]
    public async Task A_citizen_files_a_matter_and_sees_the_confirmation_number()
    {
        await using var context = await _browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var log = BrowserLog.Attach(page);
        // Every wait is bounded: a page that never answers fails here with its console, not at the run's hang timeout.
        page.SetDefaultTimeout(15_000);
        page.SetDefaultNavigationTimeout(15_000);
        await log.StepAsync("open the form", () => page.GotoAsync(new Uri(_host.HttpUrl, "/public/report.html").ToString()));
        await log.StepAsync("the form offers the configured natures", async () =>
        {
            await Expect(page.Locator("#nature[data-loaded=true]")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
            await Expect(page.Locator("#nature option[value=noise]")).ToHaveTextAsync("噪音 (noise)", new() { Timeout = 5_000 });
            await Expect(page.Locator("#nature option[value=complaint]")).ToHaveTextAsync("Complaint (投诉)", new() { Timeout = 5_000 });
        });
        await log.StepAsync("fill the form", async () =>
        {
            await page.FillAsync("#content", "The streetlight at 12 Elm Road has been out for a week");
            await page.SelectOptionAsync("#nature", "complaint");
            await page.FillAsync("#name", "Wang Fang");
            await page.FillAsync("#contact", "13800005555");
            await page.FillAsync("#address", "12 Elm Road");
            await page.ClickAsync("#send");
        });

        // The browser proves its work first (~1,000 SHA-256 digests at 10 bits): give a loaded machine time.
        await log.StepAsync("wait for the confirmation", () => Expect(page.Locator("#confirmation")).ToBeVisibleAsync(new() { Timeout = 30_000 }));
        Assert.That(log.CspViolations, Is.Empty, log.ToString());
        Assert.That(await page.Locator("#error").TextContentAsync(), Is.Empty);
        var number = await page.Locator("#number").TextContentAsync();
        Assert.That(number, Does.Match("^WO[0-9]{8}$"));
        await page.ScreenshotAsync(new() { Path = ScreenshotPath("web-form-confirmation"), FullPage = true });

        using var admin = new HttpClient { BaseAddress = _host.HttpUrl };
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var id = long.Parse(number![2..], System.Globalization.CultureInfo.InvariantCulture);
        var order = (await admin.GetFromJsonAsync<JsonElement>($"/api/workorders/{id}")).GetProperty("order");
        Assert.Multiple(() =>
        {
            Assert.That(order.GetProperty("channel").GetString(), Is.EqualTo("WebForm"));
            Assert.That(order.GetProperty("nature").GetString(), Is.EqualTo("complaint"));
            Assert.That(order.GetProperty("content").GetString(), Does.Contain("Elm Road"));
            Assert.That(order.GetProperty("callerNumber").GetString(), Is.EqualTo("13800005555"));
        });
    }
}
