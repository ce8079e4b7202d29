using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Hosting;

/// <summary>
/// tools/package.sh's Debian package on the real system: <c>dpkg -i</c>, files, owners and conffiles, both programs
/// started from /usr/lib/hotline as the <c>hotline</c> user the way their systemd units start them (the container has no
/// systemd: the test runs each unit's ExecStart in its WorkingDirectory with its Environment), configured only through
/// /etc/hotline, to /healthz; then <c>dpkg -r</c> keeps configuration and data and <c>dpkg --purge</c> leaves nothing.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DebianPackageTests
{
    private static readonly string[] Units = ["hotline-acd-engine.service", "hotline-ticket-api.service"];
    private static readonly string[] Conffiles =
        ["/etc/hotline/README", "/etc/hotline/acd-engine.env", "/etc/hotline/acd-engine.json", "/etc/hotline/ticket-api.env", "/etc/hotline/ticket-api.json"];
    private static readonly string[] Left = ["/usr/lib/hotline", "/etc/hotline", "/var/lib/hotline", "/var/log/hotline", "/usr/share/hotline"];

    private string _output = "";

    [OneTimeSetUp]
    public async Task Preconditions()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            Assert.Ignore("Installs a Debian package into this system: runs only as root on Debian (CI).");
        if ((await Run("sh", "-c", "command -v dpkg-deb && command -v jq")).Code != 0)
            Assert.Ignore("dpkg-deb and jq are needed (tools/install-peers.sh test).");
        if ((await Run("dpkg-query", "-W", "-f=${Status}", "hotline")).Output.Contains("installed", StringComparison.Ordinal))
            Assert.Ignore("A hotline package is already installed on this machine; this test would replace it. `dpkg --purge hotline` first.");
        _output = Path.Combine(Path.GetTempPath(), "hotline-deb-" + Guid.NewGuid().ToString("N"));
    }

    [OneTimeTearDown]
    public async Task Purge()
    {
        if (_output.Length == 0) return;
        await Run("dpkg", "--purge", "hotline");
        if (Directory.Exists(_output)) Directory.Delete(_output, recursive: true);
    }

    [Test]
    public async Task Package_installs_starts_both_programs_as_hotline_and_purges_to_nothing()
    {
        // Package what the test build already compiled (the hosts are project references): seconds, not minutes.
        var built = await Run(Path.Combine(RepoPaths.Root, "tools", "package.sh"),
            "--no-build", "--configuration", RepoPaths.Configuration, "--output", _output, "--version", "0.0.1~test");
        Assert.That(built.Code, Is.EqualTo(0), built.Output);
        var deb = Path.Combine(_output, "hotline_0.0.1~test_amd64.deb");
        Assert.That(File.Exists(deb), deb + "\n" + built.Output);

        var install = await Run("dpkg", "-i", deb);
        Assert.That(install.Code, Is.EqualTo(0), install.Output);

        await Assert_files_owners_and_conffiles();
        await Assert_units_verify();

        // Installed as shipped, with no key set: refused with the keys named, not started on a published credential.
        await using (var unconfigured = await StartAsInstalled("hotline-ticket-api.service", healthz: null))
        {
            var code = await unconfigured.Process.Exited.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.That(code, Is.EqualTo(2), unconfigured.Process.Output);
            Assert.That(unconfigured.Process.Output, Does.Contain("Configuration error").And.Contain("BootstrapAdminKey").And.Contain("AcdEngine:ServiceKey"));
        }

        var (ticketHttp, ticketGrpc, engineHttp, engineGrpc, sip) = (FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next());
        // As an operator would: site settings in /etc/hotline (here: free ports and the test credentials).
        await File.WriteAllTextAsync("/etc/hotline/ticket-api.json", Json(new Dictionary<string, string>(TestCredentials.TicketApi())
        {
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{ticketHttp}",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{ticketGrpc}",
            ["AcdEngine:Url"] = $"http://127.0.0.1:{engineGrpc}",
            ["AcdEngine:HttpUrl"] = $"http://127.0.0.1:{engineHttp}",
        }));
        var engineSettings = TestCredentials.Engine("acd-1");
        engineSettings.Remove("Supervisors:0:Name");
        engineSettings.Remove("Supervisors:0:SipUser");
        await File.WriteAllTextAsync("/etc/hotline/acd-engine.json", Json(new Dictionary<string, string>(engineSettings)
        {
            ["Security:DemoMode"] = "false",
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{engineHttp}",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{engineGrpc}",
            ["TicketApi:Url"] = $"http://127.0.0.1:{ticketGrpc}",
            ["Sip:Port"] = sip.ToString(CultureInfo.InvariantCulture),
            ["Sip:Accounts:0:User"] = "1001",
            ["Sip:Accounts:0:Password"] = "test-sip-password-0123456789",
        }));

        await using (var ticketApi = await StartAsInstalled("hotline-ticket-api.service", ticketHttp))
        await using (var engine = await StartAsInstalled("hotline-acd-engine.service", engineHttp))
        {
            // The packaged defaults put data and logs in the package's folders, owned by the user the programs run as.
            await Assert.MultipleAsync(async () =>
            {
                Assert.That(await Owner("/var/lib/hotline/ticket-api/tickets.db"), Is.EqualTo("hotline:hotline"));
                Assert.That(Directory.GetFiles("/var/lib/hotline/acd-engine"), Is.Not.Empty);
                Assert.That(Directory.GetFiles("/var/log/hotline", "ticketapi-*.log"), Is.Not.Empty);
                Assert.That(Directory.GetFiles("/var/log/hotline", "acdengine-*.log"), Is.Not.Empty);
                foreach (var log in Directory.GetFiles("/var/log/hotline"))
                    Assert.That(await Owner(log), Is.EqualTo("hotline:hotline"), log);
            });
        }

        // remove: programs gone, configuration (with the site's edits), data and logs kept.
        var remove = await Run("dpkg", "-r", "hotline");
        Assert.That(remove.Code, Is.EqualTo(0), remove.Output);
        Assert.Multiple(() =>
        {
            Assert.That(Directory.Exists("/usr/lib/hotline"), Is.False);
            Assert.That(File.ReadAllText("/etc/hotline/acd-engine.json"), Does.Contain("test-sip-password-0123456789"));
            Assert.That(File.Exists("/var/lib/hotline/ticket-api/tickets.db"), Is.True);
            Assert.That(Directory.GetFiles("/var/log/hotline"), Is.Not.Empty);
        });

        var purge = await Run("dpkg", "--purge", "hotline");
        Assert.That(purge.Code, Is.EqualTo(0), purge.Output);
        await Assert.MultipleAsync(async () =>
        {
            foreach (var path in Left)
                Assert.That(Directory.Exists(path) || File.Exists(path), Is.False, path + " left after purge");
            foreach (var unit in Units)
                Assert.That(File.Exists("/usr/lib/systemd/system/" + unit), Is.False, unit);
            Assert.That((await Run("getent", "passwd", "hotline")).Code, Is.Not.EqualTo(0), "hotline user left after purge");
            Assert.That((await Run("dpkg-query", "-W", "-f=${Status}", "hotline")).Output, Does.Not.Contain("installed"));
        });
    }

    private static async Task Assert_files_owners_and_conffiles()
    {
        var listed = (await Run("dpkg", "-L", "hotline")).Output.Split('\n');
        var conffiles = (await Run("dpkg-query", "-W", "-f=${Conffiles}", "hotline")).Output;
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(listed, Does.Contain("/usr/lib/hotline/acd-engine/Hotline.AcdEngine.dll"));
            Assert.That(listed, Does.Contain("/usr/lib/hotline/ticket-api/Hotline.TicketApi.dll"));
            Assert.That(listed, Does.Contain("/usr/share/hotline/sounds/en/greeting.wav"));
            foreach (var unit in Units) Assert.That(listed, Does.Contain("/usr/lib/systemd/system/" + unit));
            foreach (var conffile in Conffiles) Assert.That(conffiles, Does.Contain(" " + conffile + " "), conffiles);

            Assert.That((await Run("getent", "passwd", "hotline")).Output, Does.Contain(":/var/lib/hotline:/usr/sbin/nologin"));
            foreach (var folder in new[] { "/var/lib/hotline", "/var/lib/hotline/acd-engine", "/var/lib/hotline/ticket-api", "/var/log/hotline" })
                Assert.That((await Run("stat", "-c", "%U:%G %a", folder)).Output.Trim(), Is.EqualTo("hotline:hotline 750"), folder);
            // The site settings hold secrets: root writes them, the programs' group reads them, nobody else.
            foreach (var file in new[] { "/etc/hotline/acd-engine.json", "/etc/hotline/ticket-api.json", "/etc/hotline/acd-engine.env" })
                Assert.That((await Run("stat", "-c", "%U:%G %a", file)).Output.Trim(), Is.EqualTo("root:hotline 640"), file);
            Assert.That((await Run("stat", "-c", "%U:%G", "/usr/lib/hotline/acd-engine/Hotline.AcdEngine.dll")).Output.Trim(), Is.EqualTo("root:root"));

            // No published demo credential in the package (docs/security.md): the operator must set every key.
            var packaged = await File.ReadAllTextAsync("/usr/lib/hotline/acd-engine/appsettings.json")
                + await File.ReadAllTextAsync("/usr/lib/hotline/ticket-api/appsettings.json");
            foreach (var demo in new[] { "agent1001", "dept2001", "demo-acd-1-node-key", "dev-admin-key-change-me-0001", "demo-ticketapi-service-key",
                         TestCredentials.Sha256Hex("demo-engine-admin-key"), TestCredentials.Sha256Hex("demo-ticketapi-service-key"),
                         TestCredentials.Sha256Hex("demo-acd-1-node-key") })
                Assert.That(packaged, Does.Not.Contain(demo).IgnoreCase);
        });
    }

    private static async Task Assert_units_verify()
    {
        if ((await Run("sh", "-c", "command -v systemd-analyze")).Code != 0) return;
        var verify = await Run("systemd-analyze", ["verify", .. Units.Select(u => "/usr/lib/systemd/system/" + u)]);
        // systemd-analyze reports bad lines on stderr and still exits 0; other units of the machine may be noisy.
        Assert.That(verify.Output.Split('\n').Where(l => l.Contains("hotline", StringComparison.Ordinal)), Is.Empty, verify.Output);
    }

    /// <summary>What systemd would run: the unit's ExecStart, as its User, in its WorkingDirectory, with its Environment.</summary>
    private static async Task<HostUnderTest> StartAsInstalled(string unit, int? healthz)
    {
        var lines = await File.ReadAllLinesAsync("/usr/lib/systemd/system/" + unit);
        string Value(string key) => lines.Single(l => l.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];
        // systemd starts a service with a clean environment plus the unit's: so does `env -i`. Nothing of the test
        // runner's settings leaks in, the programs must find everything in /etc/hotline.
        string[] environment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", .. Value("Environment").Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        var exec = Value("ExecStart").Split(' ');
        var process = PeerProcess.Start("env", ["-i", .. environment, "setpriv", "--reuid=" + Value("User"), "--regid=" + Value("Group"), "--init-groups", .. exec],
            workingDirectory: Value("WorkingDirectory"));
        var host = new HostUnderTest(process);
        if (healthz is { } port) await host.WaitHealthyAsync(new Uri($"http://127.0.0.1:{port}/healthz"));
        return host;
    }

    private static string Json(IDictionary<string, string> settings)
    {
        // Flat "A:B:0:C" keys as nested JSON objects; .NET configuration reads numeric object keys as array indexes.
        var root = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, value) in settings)
        {
            var node = root;
            var parts = key.Split(':');
            foreach (var part in parts[..^1])
            {
                if (!node.TryGetValue(part, out var child)) node[part] = child = new Dictionary<string, object>(StringComparer.Ordinal);
                node = (Dictionary<string, object>)child;
            }
            node[parts[^1]] = value;
        }
        return JsonSerializer.Serialize(root);
    }

    private static async Task<string> Owner(string path) => (await Run("stat", "-c", "%U:%G", path)).Output.Trim();

    private static Task<(int Code, string Output)> Run(string file, params string[] arguments) => Run(file, (IEnumerable<string>)arguments);

    private static async Task<(int Code, string Output)> Run(string file, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>An installed program run as systemd would; stopped with SIGTERM (systemd's KillSignal) on dispose.</summary>
    private sealed class HostUnderTest(PeerProcess process) : IAsyncDisposable
    {
        public PeerProcess Process => process;

        public async Task WaitHealthyAsync(Uri healthz)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            // A separate process's readiness has no event to await: poll the real endpoint.
            using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (true)
            {
                if (process.HasExited) Assert.Fail($"exited with {await process.Exited} before /healthz:\n{process.Output}");
                try
                {
                    using var response = await http.GetAsync(healthz, cts.Token);
                    if (response.StatusCode == HttpStatusCode.OK) return;
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                catch (TaskCanceledException) when (!cts.IsCancellationRequested)
                {
                    // One slow probe.
                }
                if (cts.IsCancellationRequested || !await ticker.WaitForNextTickAsync(CancellationToken.None))
                    Assert.Fail("not healthy after 60 s:\n" + process.Output);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
                    await kill.WaitForExitAsync();
                await process.Exited.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            await process.DisposeAsync();
        }
    }
}
