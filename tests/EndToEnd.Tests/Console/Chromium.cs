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
        // Waiting starts before the click: the page navigates after its own fetch, and a navigation that commits before
        // the wait subscribes would never be seen (a run that hangs until its timeout although the page is open).
        var landed = page.WaitForURLAsync(new Uri(baseUrl, next).ToString());
        await page.ClickAsync("button[type=submit]");
        await landed;
    }

    /// <summary>
    /// Where a test writes its screenshot: docs/screenshots only when asked to refresh the docs
    /// (HOTLINE_REFRESH_SCREENSHOTS=1), else a temporary folder, so a test run leaves the checkout untouched.
    /// </summary>
    public static string Screenshot(string name) => Path.Combine(ScreenshotFolder, name + ".png");

    public static bool RefreshDocs => Environment.GetEnvironmentVariable("HOTLINE_REFRESH_SCREENSHOTS") == "1";

    private static readonly string ScreenshotFolder = RefreshDocs
        ? Path.Combine(Hotline.TestSupport.RepoPaths.Root, "docs", "screenshots")
        : Directory.CreateTempSubdirectory("hotline-screenshots-").FullName;
}
