using System.Globalization;
using System.Net.Http.Json;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Sip;

/// <summary>A real softphone (baresip, headless) registers with its account and the engine's registrar holds the binding.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class BaresipRegistrationTests
{
    [Test]
    public async Task Baresip_registers_and_the_registrar_holds_its_binding()
    {
        var sipPort = FreePort.Next();
        await using var host = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = sipPort.ToString(CultureInfo.InvariantCulture),
        });
        var folder = Path.Combine(Path.GetTempPath(), "hotline-baresip-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var phonePort = FreePort.Next(2);
        await File.WriteAllTextAsync(Path.Combine(folder, "config"), string.Join('\n',
            "module_path /usr/lib/baresip/modules",
            $"sip_listen 127.0.0.1:{phonePort}",
            "module g711.so", "module aufile.so",
            "audio_source aufile,/usr/share/asterisk/sounds/en/beep.wav",
            "audio_player aufile,/dev/null",
            "module_app menu.so", "module_app account.so",
            "answermode auto", ""));
        await File.WriteAllTextAsync(Path.Combine(folder, "accounts"), $"<sip:2001@127.0.0.1:{sipPort};transport=udp>;auth_pass=dept2001;regint=600\n");
        try
        {
            await using var phone = PeerProcess.Start("baresip", ["-f", folder, "-t", "30"]);
            var line = await phone.WaitForLineAsync(l => l.Contains("2001@127.0.0.1", StringComparison.Ordinal) &&
                (l.Contains("200 OK", StringComparison.Ordinal) || l.Contains("Register:", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
            Assert.That(line, Does.Contain("200 OK"), phone.Output);

            using var http = new HttpClient(host.Credentials());
            var bindings = await http.GetFromJsonAsync<Registration[]>(new Uri(host.HttpUrl, "/api/sip/registrations"));
            Assert.That(bindings, Is.Not.Null);
            var binding = bindings!.SingleOrDefault(b => b.User == "2001");
            Assert.That(binding, Is.Not.Null, host.Process.Output);
            Assert.That(binding!.Contact, Does.Contain(":" + phonePort.ToString(CultureInfo.InvariantCulture)));
            Assert.That(binding.ExpiresInSeconds, Is.InRange(500, 600));
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
        }
    }

    private sealed record Registration(string User, string Contact, int ExpiresInSeconds);
}
