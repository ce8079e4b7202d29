using Microsoft.Playwright;

namespace Hotline.EndToEnd.Tests.Console;

/// <summary>Debian's chromium driven by Playwright's bundled (offline) driver; Playwright's own browser download is not used.</summary>
internal static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = ExecutablePath,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });

    /// <summary>Signs in through the sign-in page, as a person would, and waits for the landing page.</summary>
    public static async Task SignInAsync(IPage page, Uri baseUrl, string key, string next)
    {
        await page.GotoAsync(new Uri(baseUrl, "/?next=" + Uri.EscapeDataString(next)).ToString());
        await page.FillAsync("#key", key);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(new Uri(baseUrl, next).ToString());
    }

    public static string Screenshot(string name) => Path.Combine(Hotline.TestSupport.RepoPaths.Root, "docs", "screenshots", name + ".png");
}
