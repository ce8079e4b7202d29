using System.Net;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Hosting;

/// <summary>Both programs start on loopback as real processes, answer /healthz, and refuse bad configuration clearly.</summary>
[TestFixture]
// Its cases share nothing (each its own process, ports from FreePort, data in its own temp folder) and mostly wait for a
// process to start and exit: two at a time, and beside the other fixtures that only wait on processes (AssemblyInfo.cs).
[Parallelizable(ParallelScope.All)]
public sealed class HostStartupTests
{
    [TestCase("AcdEngine")]
    [TestCase("TicketApi")]
    public async Task Host_starts_and_answers_healthz(string project)
    {
        await using var host = await HostProcess.StartHealthyAsync(project);
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(host.HttpUrl, "/healthz"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
    }

    [TestCase("AcdEngine", "Acd:HotlineNumber", "twelve", "Acd:HotlineNumber")]
    [TestCase("AcdEngine", "TicketApi:Url", "not a url", "TicketApi:Url")]
    [TestCase("TicketApi", "Database:Provider", "Oracle", "Database:Provider")]
    [TestCase("TicketApi", "Auth:BootstrapAdminKey", "short", "Auth:BootstrapAdminKey")]
    [TestCase("AcdEngine", "Metrics:BearerSha256", "not-a-hash", "Metrics:BearerSha256")]
    [TestCase("TicketApi", "Metrics:BearerSha256", "abc", "Metrics:BearerSha256")]
    // A value the configuration binder cannot convert is a configuration error too, not a stack trace and exit 1.
    [TestCase("AcdEngine", "Rtp:SharedReceive", "maybe", "Rtp:SharedReceive")]
    [TestCase("TicketApi", "Security:DemoMode", "yes please", "Security:DemoMode")]
    public async Task Bad_configuration_stops_the_host_with_a_message_naming_the_key(string project, string key, string value, string named)
    {
        await using var host = HostProcess.Start(project, new Dictionary<string, string> { [key] = value });
        var exitCode = await host.Process.Exited.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2), host.Process.Output);
            Assert.That(host.Process.Output, Does.Contain("Configuration error").And.Contain(named));
        });
    }

    [TestCase("AcdEngine")]
    [TestCase("TicketApi")]
    public async Task Ctrl_C_stops_the_host_cleanly_with_exit_code_0(string project)
    {
        await using var host = await HostProcess.StartHealthyAsync(project);
        // What Ctrl-C in tools/run.sh delivers: SIGINT.
        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", host.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        var exitCode = await host.Process.Exited.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), host.Process.Output);
            Assert.That(host.Process.Output, Does.Not.Contain("stopped unexpectedly"));
        });
    }
}
