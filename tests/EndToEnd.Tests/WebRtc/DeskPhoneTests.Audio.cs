using System.Globalization;
using Hotline.EndToEnd.Tests.Console;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hotline.EndToEnd.Tests.WebRtc;

/// <summary>
/// What the desk's phone tests share: a desk with its phone connected and the agent Ready, and what the page hears
/// (a WebAudio analyser on the phone's remote stream, installed from the test: the desk page itself has none).
/// </summary>
public sealed partial class DeskPhoneTests
{
    /// <summary>The browser's fake microphone (tone B).</summary>
    private const int BrowserTone = 1000;

    /// <summary>
    /// A failed test leaves no call behind for the next one: its pages are closed (the phone's pagehide stops JsSIP, which
    /// hangs up), and the engine's last lines are printed (why a leg had no audio).
    /// </summary>
    [TearDown]
    public async Task CloseDesksAsync()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
            TestContext.Out.WriteLine("--- engine (last lines) ---\n" + string.Join('\n', _engine.Process.Output.Split('\n').TakeLast(120)));
        foreach (var context in _browser.Contexts.ToList()) await context.CloseAsync();
    }

    /// <summary>A desk signed in as a1, its phone registered over wss and the agent Ready (so the ACD may ring it, and it may call out).</summary>
    private async Task<(IPage Page, BrowserLog Log)> ConnectedDeskAsync(string keyName)
    {
        var page = await OpenDeskAsync(_browser, await AgentKeyAsync(keyName));
        var log = BrowserLog.Attach(page);
        await Expect(page.Locator("#phone")).ToBeVisibleAsync();
        // Chromium's audio processing (noise suppression, gain control) works on the fake microphone's steady tone: with it,
        // the far end heard band RMS 0.013-0.069 across runs (a baresip tone: 0.30). The page keeps it on for real headsets;
        // the test turns it off here, to measure the engine's audio path rather than the browser's suppressor.
        await page.EvaluateAsync("""
            () => {
              const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
              navigator.mediaDevices.getUserMedia = c => gum(c && c.audio === true
                ? { ...c, audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } } : c);
            }
            """);
        await page.FillAsync("#phone-password", SipPassword);
        await page.ClickAsync("#phone-connect-button");
        await log.StepAsync("the phone registers", () => Expect(page.Locator("#phone-status")).ToHaveTextAsync("ready"));
        // Each test starts from a Ready agent whatever ran before: a wrap-up (1 s) ends by itself, an agent left not ready
        // (e.g. after an unanswered ring) is made Ready from the desk.
        await log.StepAsync("the agent is ready", async () =>
        {
            await page.WaitForFunctionAsync("() => ['ready', 'not-ready', 'signed-out'].includes(document.getElementById('state').dataset.status)");
            var status = await page.Locator("#state").GetAttributeAsync("data-status");
            if (status == "signed-out") await page.ClickAsync("button[data-state=sign-in]");
            if (status != "ready") await page.ClickAsync("button[data-state=ready]");
            await Expect(page.Locator("#state")).ToHaveAttributeAsync("data-status", "ready");
        });
        return (page, log);
    }

    /// <summary>
    /// An AnalyserNode on what the phone plays (<c>#phone-audio</c>'s stream); <c>window.__level(hz)</c> is the loudest
    /// bin within ±15 Hz of <c>hz</c>, in dB.
    /// </summary>
    private static Task ListenAsync(IPage page) => page.EvaluateAsync("""
        () => {
          const stream = document.getElementById("phone-audio").srcObject;
          const ctx = new AudioContext(), analyser = ctx.createAnalyser();
          analyser.fftSize = 8192;
          analyser.smoothingTimeConstant = 0;
          ctx.createMediaStreamSource(stream).connect(analyser);
          const bins = new Float32Array(analyser.frequencyBinCount), width = ctx.sampleRate / analyser.fftSize;
          window.__band = (hz, half) => {
            analyser.getFloatFrequencyData(bins);
            let best = -Infinity;
            for (let i = Math.floor((hz - half) / width); i <= Math.ceil((hz + half) / width); i++) best = Math.max(best, bins[i]);
            return best;
          };
          window.__level = hz => window.__band(hz, 15);
        }
        """);

    /// <summary>
    /// Waits until the page hears <paramref name="hz"/>: above −60 dB and 20 dB over a quiet band (2,500 Hz). On failure
    /// the message carries <paramref name="peer"/>'s output (what the other phone saw).
    /// </summary>
    private static async Task HearsAsync(IPage page, BrowserLog log, int hz, string what, Func<string>? peer = null)
    {
        var f = hz.ToString(CultureInfo.InvariantCulture);
        try
        {
            await log.StepAsync(what, () => page.WaitForFunctionAsync($"() => window.__level({f}) > -60 && window.__level({f}) > window.__level(2500) + 20",
                null, new() { Timeout = 10_000, PollingInterval = 50 }));
        }
        catch (AssertionException e) when (peer is not null)
        {
            throw new AssertionException($"{e.Message}\n--- peer ---\n{peer()}", e);
        }
    }

    /// <summary>
    /// The loudest the page hears within ±6 Hz of <paramref name="hz"/> over 0.6 s: what is there before a tone of that
    /// frequency starts (e.g. the caller's 440 Hz leaks into 480 Hz: its 20 ms frames put sidebands at ±50 Hz).
    /// </summary>
    private static Task<double> BaselineAsync(IPage page, int hz) => page.EvaluateAsync<double>(
        "async hz => { let m = -200; const end = performance.now() + 600; while (performance.now() < end) { m = Math.max(m, window.__band(hz, 6)); await new Promise(r => setTimeout(r, 20)); } return m; }",
        hz);

    /// <summary>
    /// Waits until the page hears a tone of <paramref name="hz"/> that was not there before: within ±6 Hz, above
    /// −60 dB, 20 dB over a quiet band (2,500 Hz) and 10 dB over <paramref name="baseline"/> (<see cref="BaselineAsync"/>).
    /// The ±15 Hz band of <see cref="HearsAsync"/> alone is met by the caller's 440 Hz when the tone is 480 Hz.
    /// </summary>
    private static async Task<double> HearsNewToneAsync(IPage page, BrowserLog log, int hz, double baseline, string what)
    {
        var f = hz.ToString(CultureInfo.InvariantCulture);
        var floor = Math.Max(-60, baseline + 10).ToString("F1", CultureInfo.InvariantCulture);
        IJSHandle? heard = null;
        await page.EvaluateAsync("() => { window.__loudest = -200; }");
        try
        {
            await log.StepAsync(what, async () => heard = await page.WaitForFunctionAsync(
                $"() => {{ const t = window.__band({f}, 6); window.__loudest = Math.max(window.__loudest, t); return t > {floor} && t > window.__level(2500) + 20 ? t : 0; }}",
                null, new() { Timeout = 10_000, PollingInterval = 20 }));
        }
        catch (AssertionException e)
        {
            var loudest = await page.EvaluateAsync<double>("() => window.__loudest");
            throw new AssertionException($"{hz} Hz: loudest {loudest:F0} dB, needed over {floor} dB (before: {baseline:F0} dB)\n{e.Message}", e);
        }
        return await heard!.JsonValueAsync<double>();
    }

    /// <summary>
    /// The smallest RMS (0..1) of <paramref name="file"/> within [lo, hi] Hz over consecutive windows of
    /// <paramref name="window"/> seconds between <paramref name="from"/> and <paramref name="to"/>: a party missing from
    /// the mix for a second (a tone played in place of its mixer feed) shows as a window near 0.
    /// </summary>
    private static async Task<(double Min, double At)> MinWindowRmsAsync(string file, double from, double to, int lo, int hi, double window = 0.4)
    {
        var raw = file + $".{lo}-{hi}.raw";
        await using (var sox = Hotline.TestSupport.PeerProcess.Start("sox",
            [file, "-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1", "-r", "8000", raw, "sinc", $"{lo.ToString(CultureInfo.InvariantCulture)}-{hi.ToString(CultureInfo.InvariantCulture)}"]))
            Assert.That(await sox.Exited.WaitAsync(TimeSpan.FromSeconds(20)), Is.Zero, sox.Output);
        var bytes = await File.ReadAllBytesAsync(raw);
        var samples = new short[bytes.Length / 2];
        Buffer.BlockCopy(bytes, 0, samples, 0, samples.Length * 2);
        var (min, at) = (double.MaxValue, from);
        var n = (int)(window * 8000);
        for (var start = from; start + window <= to; start += window)
        {
            var first = (int)(start * 8000);
            if (first + n > samples.Length) break;
            double sum = 0;
            for (var i = first; i < first + n; i++) sum += (double)samples[i] * samples[i];
            var rms = Math.Sqrt(sum / n) / 32768.0;
            if (rms < min) (min, at) = (rms, start);
        }
        return (min, at);
    }

    /// <summary>Levels (dB) the page hears now at each of <paramref name="hz"/>, for the test's output.</summary>
    private static async Task<string> LevelsAsync(IPage page, params int[] hz)
    {
        var parts = new List<string>();
        foreach (var f in hz)
            parts.Add($"{f} Hz {await page.EvaluateAsync<double>($"() => window.__level({f.ToString(CultureInfo.InvariantCulture)})"):F0} dB");
        return string.Join(", ", parts);
    }

    /// <summary>RMS (0..1) of <paramref name="file"/> between <paramref name="from"/> and <paramref name="to"/> seconds, within [lo, hi] Hz.</summary>
    private static async Task<double> WindowRmsAsync(string file, double from, double to, int lo, int hi)
    {
        string S(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
        await using var sox = Hotline.TestSupport.PeerProcess.Start("sox",
            [file, "-n", "trim", S(from), "=" + S(to), "sinc", $"{lo.ToString(CultureInfo.InvariantCulture)}-{hi.ToString(CultureInfo.InvariantCulture)}", "stat"]);
        await sox.WaitForLineAsync(l => l.Contains("Rough   frequency", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        var m = System.Text.RegularExpressions.Regex.Match(sox.Output, @"RMS     amplitude:\s*(-?[0-9.]+)");
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
    }
}
