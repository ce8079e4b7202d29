using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Acd;

/// <summary>Bad ACD configuration stops the real host with exit code 2 and a message naming the key.</summary>
[TestFixture]
public sealed class AcdConfigurationTests
{
    [TestCase("Acd:Ivr:Options:1:Queue", "nowhere", "Acd:Ivr:Options:1:Queue")]
    [TestCase("Acd:Queues:general:Strategy", "Random", "Strategy")]
    [TestCase("Agents:1:User", "1001", "Agents:1:User")]
    [TestCase("Acd:RingTimeoutSeconds", "1", "Acd:RingTimeoutSeconds")]
    public async Task A_bad_acd_setting_stops_the_engine_naming_the_key(string key, string value, string named)
    {
        await using var host = HostProcess.Start("AcdEngine", new Dictionary<string, string>
        {
            [key] = value,
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500",
        });
        var exitCode = await host.Process.Exited.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Not.Zero, host.Process.Output);
            Assert.That(host.Process.Output, Does.Contain(named));
        });
    }
}
