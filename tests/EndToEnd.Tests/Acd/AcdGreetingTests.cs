using System.Globalization;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Acd;

/// <summary>
/// The shipped greeting, heard by a real caller: baresip dials the hotline (default <c>Acd:Greeting</c>, no agent
/// ready) and records what it hears; the recording is matched, sample by sample, against <c>sounds/en/greeting.wav</c>
/// at its start and against the hold music right after it (DOMAIN.md "The call": greeting, then the queue).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class AcdGreetingTests
{
    private const int Rate = 8000;

    [Test]
    public async Task A_caller_hears_the_whole_greeting_then_hold_music()
    {
        var work = Path.Combine(Path.GetTempPath(), "hotline-greeting-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var sipPort = FreePort.Next();
            await using var engine = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
            {
                ["Sip:Port"] = sipPort.ToString(CultureInfo.InvariantCulture),
                ["Agents:0:AutoReady"] = "false",
                ["Agents:1:AutoReady"] = "false",
                ["Acd:AnnounceEverySeconds"] = "0",
            });
            var greeting = await ReadPcmAsync(Path.Combine(RepoPaths.Root, "sounds", "en", "greeting.wav"), work);
            var music = await ReadPcmAsync(Directory.GetFiles(Path.Combine(RepoPaths.Root, "sounds", "moh"), "*.wav").Order(StringComparer.Ordinal).First(), work);
            var voice = await Sox.ToneAsync(work, 600, 30);
            var seconds = (int)Math.Ceiling(greeting.Length / (double)Rate) + 5;
            await using var phone = Baresip.Start($"<sip:caller@127.0.0.1:{sipPort.ToString(CultureInfo.InvariantCulture)};transport=udp>;regint=0",
                voice, seconds, dial: $"sip:12345@127.0.0.1:{sipPort.ToString(CultureInfo.InvariantCulture)}");
            await phone.Process.WaitForLineAsync(l => l.Contains("Call established", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(15));
            await phone.Process.Exited.WaitAsync(TimeSpan.FromSeconds(seconds + 20));
            var heardFile = phone.HeardFile();
            Assert.That(heardFile, Is.Not.Null, phone.Process.Output);
            var heard = await ReadPcmAsync(heardFile!, work);

            // Where the greeting starts in the recording (media set-up and jitter buffer: under 2 s).
            var window = 2 * Rate;
            var (lag, greetingMatch) = BestMatch(heard, 0, 2 * Rate, greeting, 0, window);
            Assert.That(greetingMatch, Is.GreaterThan(0.7), $"the call starts with the greeting (lag {lag} samples); engine: {engine.Process.Output}");
            // The greeting's last two seconds are heard too (it was not cut short by the queue's music)...
            var tailStart = greeting.Length - window;
            var (_, tailMatch) = BestMatch(heard, lag + tailStart - Rate / 2, Rate, greeting, tailStart, window);
            Assert.That(tailMatch, Is.GreaterThan(0.7), "the whole greeting is played");
            // ...and right after it the caller hears hold music from its start.
            var (_, musicMatch) = BestMatch(heard, lag + greeting.Length - Rate / 2, Rate + Rate / 2, music, Rate / 2, window);
            Assert.That(musicMatch, Is.GreaterThan(0.7), "hold music follows the greeting");
            TestContext.Out.WriteLine($"greeting at {lag} samples: start r={greetingMatch:F3}, end r={tailMatch:F3}; music after it r={musicMatch:F3}");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>
    /// The best normalised correlation of <paramref name="clip"/>[clipStart..+length] with
    /// <paramref name="heard"/> starting anywhere in [from, from+span): (start in heard, correlation).
    /// </summary>
    private static (int Start, double Correlation) BestMatch(short[] heard, int from, int span, short[] clip, int clipStart, int length)
    {
        var best = (Start: -1, Correlation: 0.0);
        var c = clip.AsSpan(clipStart, length);
        double cc = 0;
        foreach (var s in c) cc += (double)s * s;
        for (var start = Math.Max(0, from); start < from + span && start + length <= heard.Length; start++)
        {
            double hc = 0, hh = 0;
            for (var i = 0; i < length; i++)
            {
                double h = heard[start + i];
                hc += h * c[i];
                hh += h * h;
            }
            var r = hh > 0 && cc > 0 ? hc / Math.Sqrt(hh * cc) : 0;
            if (r > best.Correlation) best = (start, r);
        }
        return best;
    }

    /// <summary>Any WAV → 8 kHz 16-bit mono samples (through sox, as the phone's dump format may differ).</summary>
    private static async Task<short[]> ReadPcmAsync(string wav, string work)
    {
        var raw = Path.Combine(work, Guid.NewGuid().ToString("N") + ".raw");
        await using (var sox = PeerProcess.Start("sox", [wav, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", raw]))
        {
            var code = await sox.Exited.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.That(code, Is.Zero, sox.Output);
        }
        var bytes = await File.ReadAllBytesAsync(raw);
        var samples = new short[bytes.Length / 2];
        Buffer.BlockCopy(bytes, 0, samples, 0, samples.Length * 2);
        return samples;
    }
}
