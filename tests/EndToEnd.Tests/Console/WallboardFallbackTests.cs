using Hotline.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hotline.EndToEnd.Tests.Console;

/// <summary>The engine is away (nothing listens at AcdEngine:Url): the wallboard says so instead of showing stale or empty figures as live.</summary>
[TestFixture]
public sealed class WallboardFallbackTests
{
    private const string AdminKey = "e2e-console-admin-key-0456";

    [Test]
    public async Task The_wallboard_says_the_engine_is_away_when_it_cannot_be_reached()
    {
        await using var host = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string>
        {
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["AcdEngine:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
        });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await Chromium.SignInAsync(page, host.HttpUrl, AdminKey, "/wallboard");
        await Expect(page.Locator("#engine")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^AcdEngine away: AcdEngine unreachable"), new() { Timeout = 15_000 });
        await Expect(page.Locator("#engine")).ToHaveClassAsync("engine away");
        await Expect(page.Locator("#queues")).ToHaveTextAsync("No queue figures yet.");
        Assert.That(host.Process.Output, Does.Contain("AcdEngine live figures unavailable"), "the outage is logged once, as a warning");
    }
}
