using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Hotline.EndToEnd.Tests.Console;

/// <summary>
/// What a page said while a test drove it: console messages (CSP violations arrive there), uncaught errors, failed
/// requests and every HTTP answer of 400 or more. A failed wait reports it, so a test that stops says why (a blocked
/// script, a 401 on the API) instead of only "timeout".
/// </summary>
internal sealed class BrowserLog
{
    private readonly ConcurrentQueue<string> _lines = new();

    public static BrowserLog Attach(IPage page)
    {
        var log = new BrowserLog();
        page.Console += (_, m) => log.Add($"console.{m.Type}: {m.Text}");
        page.PageError += (_, e) => log.Add("page error: " + e);
        page.RequestFailed += (_, r) => log.Add($"request failed: {r.Method} {r.Url} ({r.Failure})");
        page.Response += (_, r) =>
        {
            // Every answer of the API and every document, so a step that never comes shows what the page was waiting for.
            if (r.Status >= 400 || r.Request.ResourceType == "document" || r.Url.Contains("/api/", StringComparison.Ordinal))
                log.Add($"HTTP {r.Status}: {r.Request.Method} {r.Url}");
        };
        page.Request += (_, r) => { if (r.Url.Contains("/api/", StringComparison.Ordinal) || r.ResourceType == "document") log.Add($"request: {r.Method} {r.Url}"); };
        page.FrameNavigated += (_, f) => { if (f.ParentFrame is null) log.Add("navigated: " + f.Url); };
        return log;
    }

    public IReadOnlyCollection<string> Lines => _lines;

    public IEnumerable<string> CspViolations => _lines.Where(l => l.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));

    private void Add(string line) => _lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");

    public override string ToString() => _lines.IsEmpty ? "(the page logged nothing)" : string.Join('\n', _lines);

    /// <summary>Runs one browser step; a Playwright timeout or assertion failure carries the page's log.</summary>
    public async Task StepAsync(string what, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (e is TimeoutException or PlaywrightException)
        {
            throw new AssertionException($"{what}: {e.Message}\n--- browser log ---\n{this}", e);
        }
    }
}
