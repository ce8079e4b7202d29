using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Hosting;

/// <summary>
/// Several bad settings at once (what a fresh install without keys has) are still a configuration error: exit code 2
/// naming every key, not a stack trace and exit 1 (the units' RestartPreventExitStatus=2 relies on it).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class SeveralConfigurationErrorsTests
{
    // TicketApi validates both options classes together at start (ValidateOnStart), so both fail in one AggregateException.
    [TestCase("TicketApi", "Auth:BootstrapAdminKey", "short", "AcdEngine:ServiceKey", "")]
    public async Task Every_bad_key_is_named_with_exit_code_2(string project, string first, string firstValue, string second, string secondValue)
    {
        var settings = new Dictionary<string, string> { [first] = firstValue, [second] = secondValue };
        await using var host = HostProcess.Start(project, settings);
        var exitCode = await host.Process.Exited.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2), host.Process.Output);
            Assert.That(host.Process.Output, Does.Contain("Configuration error").And.Contain(first).And.Contain(second));
            Assert.That(host.Process.Output, Does.Not.Contain("stopped unexpectedly"));
        });
    }
}
