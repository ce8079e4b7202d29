using System.Globalization;
using Hotline.EndToEnd.Tests.Sip;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Calls;

/// <summary>Real calls with real audio: baresip to the echo number and to the hotline; sipp with an unusable offer.</summary>
[TestFixture]
[NonParallelizable]
public sealed class MediaCallTests
{
    private HostProcess _host = null!;
    private int _sipPort;
    private string _work = null!;

    [OneTimeSetUp]
    public async Task StartEngine()
    {
        _sipPort = FreePort.Next();
        _work = Path.Combine(Path.GetTempPath(), "hotline-media-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_work);
        _host = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = _sipPort.ToString(CultureInfo.InvariantCulture),
            // No agent is registered in this fixture: hotline callers stay queued with hold music.
            ["Agents:0:AutoReady"] = "false",
            ["Agents:1:AutoReady"] = "false",
        });
    }

    [OneTimeTearDown]
    public async Task StopEngine()
    {
        await _host.DisposeAsync();
        try { Directory.Delete(_work, recursive: true); }
        catch (IOException) { }
    }

    private string CallerAccount => $"<sip:caller@127.0.0.1:{_sipPort.ToString(CultureInfo.InvariantCulture)};transport=udp>;regint=0";

    [Test]
    public async Task Baresip_calling_the_echo_number_hears_its_own_440_Hz_tone()
    {
        var tone = await Sox.ToneAsync(_work, 440, 10);
        await using var phone = Baresip.Start(CallerAccount, tone, seconds: 5, dial: $"sip:*43@127.0.0.1:{_sipPort}");
        await phone.Process.WaitForLineAsync(l => l.Contains("Call established", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(10));
        await phone.Process.Exited.WaitAsync(TimeSpan.FromSeconds(20));
        var heard = phone.HeardFile();
        Assert.That(heard, Is.Not.Null, phone.Process.Output);
        var (frequency, rms, seconds) = await Sox.StatAsync(heard!);
        Assert.Multiple(() =>
        {
            Assert.That(seconds, Is.GreaterThan(1.5), "call audio length");
            Assert.That(rms, Is.GreaterThan(0.05), "not silent");
            Assert.That(frequency, Is.InRange(420, 460), "dominant frequency of what came back");
        });
    }

    [Test]
    public async Task Baresip_calling_the_hotline_hears_greeting_or_hold_music()
    {
        var voice = await Sox.ToneAsync(_work, 1000, 10);
        await using var phone = Baresip.Start(CallerAccount, voice, seconds: 5, dial: $"sip:12345@127.0.0.1:{_sipPort}");
        await phone.Process.WaitForLineAsync(l => l.Contains("Call established", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(10));
        await phone.Process.Exited.WaitAsync(TimeSpan.FromSeconds(20));
        var heard = phone.HeardFile();
        Assert.That(heard, Is.Not.Null, phone.Process.Output);
        var (_, rms, seconds) = await Sox.StatAsync(heard!);
        Assert.Multiple(() =>
        {
            Assert.That(seconds, Is.GreaterThan(1.5), "call audio length");
            Assert.That(rms, Is.GreaterThan(0.01), "the caller hears the greeting, not silence");
        });
    }

    [Test]
    public async Task An_offer_without_a_common_codec_gets_488()
    {
        var (code, output) = await Sipp.RunAsync(_sipPort, "no-common-codec.xml", "12345", calls: 2, rate: 10);
        Assert.That(code, Is.Zero, output);
    }
}
