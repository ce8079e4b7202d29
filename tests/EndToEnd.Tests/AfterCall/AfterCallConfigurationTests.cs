using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.AfterCall;

/// <summary>Bad Survey:* / Outbound:* settings stop the real engine with a message naming the key.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class AfterCallConfigurationTests
{
    [TestCase("Outbound:Gateway", "http://gw", "Outbound:Gateway")]
    [TestCase("Survey:TimeoutSeconds", "0", "Survey:TimeoutSeconds")]
    public async Task A_bad_setting_stops_the_engine_naming_the_key(string key, string value, string named)
    {
        await using var host = HostProcess.Start("AcdEngine", new Dictionary<string, string>
        {
            [key] = value,
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500",
        });
        var exitCode = await host.Process.Exited.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(exitCode, Is.Not.Zero, host.Process.Output);
        Assert.That(host.Process.Output, Does.Contain(named));
    }
}
