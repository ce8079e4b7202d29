using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Security;

/// <summary>
/// Issue 14 safe defaults: with a published demo credential and without <c>Security:DemoMode</c>, each program refuses to
/// start (exit 2, the message names the key); with demo mode on it starts and says so loudly.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class StartupRefusalTests
{
    // The shipped appsettings.json values: the test credentials HostProcess applies are replaced by them here.
    private static IEnumerable<TestCaseData> DemoCredentials()
    {
        yield return new TestCaseData("AcdEngine", new Dictionary<string, string> { ["Security:DemoMode"] = "false" }, "Sip:Accounts:0:Password")
            .SetName("Engine_refuses_the_demo_SIP_passwords");
        yield return new TestCaseData("AcdEngine", new Dictionary<string, string>
        {
            ["Security:DemoMode"] = "false", ["Sip:Accounts:0:Password"] = "own-secret-1", ["Sip:Accounts:1:Password"] = "own-secret-2",
            ["Sip:Accounts:2:Password"] = "own-secret-3", ["Api:Keys:1:Sha256"] = TestCredentials.Sha256Hex("demo-ticketapi-service-key"),
        }, "Api:Keys:1:Sha256").SetName("Engine_refuses_a_demo_api_key");
        yield return new TestCaseData("AcdEngine", new Dictionary<string, string>
        {
            ["Security:DemoMode"] = "false", ["Sip:Accounts:0:Password"] = "own-secret-1", ["Sip:Accounts:1:Password"] = "own-secret-2",
            ["Sip:Accounts:2:Password"] = "own-secret-3", ["TicketApi:NodeKey"] = "demo-acd-1-node-key",
        }, "TicketApi:NodeKey").SetName("Engine_refuses_the_demo_node_key");
        yield return new TestCaseData("TicketApi", new Dictionary<string, string> { ["Auth:BootstrapAdminKey"] = "dev-admin-key-change-me-0001" }, "Auth:BootstrapAdminKey")
            .SetName("TicketApi_refuses_the_published_bootstrap_key");
        yield return new TestCaseData("TicketApi", new Dictionary<string, string> { ["AcdEngine:ServiceKey"] = "demo-ticketapi-service-key" }, "AcdEngine:ServiceKey")
            .SetName("TicketApi_refuses_the_demo_service_key");
    }

    [TestCaseSource(nameof(DemoCredentials))]
    public async Task A_published_credential_without_demo_mode_stops_the_host_naming_the_key(string project, Dictionary<string, string> settings, string named)
    {
        await using var host = HostProcess.Start(project, settings);
        var exitCode = await host.Process.Exited.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2), host.Process.Output);
            Assert.That(host.Process.Output, Does.Contain("Configuration error").And.Contain(named).And.Contain("Security:DemoMode"));
        });
    }

    [TestCase("AcdEngine")]
    [TestCase("TicketApi")]
    public async Task Demo_mode_starts_with_the_published_credentials_and_warns_loudly(string project)
    {
        await using var host = await HostProcess.StartHealthyAsync(project, new Dictionary<string, string>
        {
            ["Security:DemoMode"] = "true",
            ["Auth:BootstrapAdminKey"] = "dev-admin-key-change-me-0001",
        });
        // The program's own warning names the switch; others (e.g. /metrics open in demo mode) may come first.
        string warning;
        try
        {
            warning = await host.Process.WaitForLineAsync(l => l.Contains("DEMO MODE", StringComparison.Ordinal) &&
                                                               l.Contains("Security:DemoMode=true", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            Assert.Fail("no DEMO MODE warning naming Security:DemoMode=true:\n" + host.Process.Output);
            return;
        }
        Assert.That(warning, Does.Contain("WRN").Or.Contain("Warning"), "a warning, not information");
    }
}
