using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Acd;

/// <summary>Bad ACD configuration stops the real host with exit code 2 and a message naming the key.</summary>
[TestFixture]
// Its cases share nothing (each its own process, ports from FreePort, data in its own temp folder) and mostly wait for a
// process to start and exit: two at a time, and beside the other fixtures that only wait on processes (AssemblyInfo.cs).
[Parallelizable(ParallelScope.All)]
public sealed class AcdConfigurationTests
{
    [TestCase("Acd:Ivr:Options:1:Queue", "nowhere", "Acd:Ivr:Options:1:Queue")]
    [TestCase("Acd:Queues:general:Strategy", "Random", "Strategy")]
    [TestCase("Agents:1:User", "1001", "Agents:1:User")]
    [TestCase("Acd:RingTimeoutSeconds", "1", "Acd:RingTimeoutSeconds")]
    [TestCase("Sip:AgentProxy", "sip:kamailio.local:5060", "Sip:AgentProxy")]
    [TestCase("ConnectionStrings:Redis", "10.255.255.1:6379,abortConnect=false", "ConnectionStrings:Redis names 10.255.255.1:6379 without a password")]
    public async Task A_bad_acd_setting_stops_the_engine_naming_the_key(string key, string value, string named)
    {
        await using var host = HostProcess.Start("AcdEngine", new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500",
            [key] = value, // After the default above: a case may replace it.
        });
        var exitCode = await host.Process.Exited.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Not.Zero, host.Process.Output);
            Assert.That(host.Process.Output, Does.Contain(named));
        });
    }

    /// <summary>
    /// The bad setting is named even when the SIP port is taken at that moment (by a neighbour that grabbed it after
    /// the port was chosen): every option is validated before the SIP stack binds, so the operator sees the real error.
    /// </summary>
    [Test]
    public async Task A_bad_setting_is_named_even_when_the_sip_port_is_taken()
    {
        using var squatter = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var taken = ((System.Net.IPEndPoint)squatter.Client.LocalEndPoint!).Port;
        await using var host = HostProcess.Start("AcdEngine", new Dictionary<string, string>
        {
            ["Acd:RingTimeoutSeconds"] = "1",
            ["Sip:Port"] = taken.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500",
        });
        var exitCode = await host.Process.Exited.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2), host.Process.Output);
            Assert.That(host.Process.Output, Does.Contain("Acd:RingTimeoutSeconds"));
        });
    }
}
