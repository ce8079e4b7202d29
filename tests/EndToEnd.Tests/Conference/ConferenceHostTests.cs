using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Conference;

/// <summary>
/// The real AcdEngine process with the issue 8 configuration: departments and recording options are validated at
/// start (naming the key); the CTI conference RPCs answer a clear refusal for a call that does not exist.
/// The three-phone (baresip) call test needs the SIP telephony, which is not on main yet (docs/conference.md).
/// </summary>
[TestFixture]
public sealed class ConferenceHostTests
{
    [TestCase("Departments:0:Code", "x1", "Departments:0:Code")]
    [TestCase("Departments:0:Contacts:0", "", "Departments:0:Contacts")]
    [TestCase("Conference:Attempts", "0", "Attempts")]
    [TestCase("Recording:RetentionDays", "0", "RetentionDays")]
    public async Task Bad_conference_configuration_stops_the_engine_naming_the_key(string key, string value, string named)
    {
        await using var host = HostProcess.Start("AcdEngine", new Dictionary<string, string> { [key] = value });
        var exitCode = await host.Process.Exited.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2), host.Process.Output);
            Assert.That(host.Process.Output, Does.Contain("Configuration error").And.Contain(named));
        });
    }

    [Test]
    public async Task Conference_rpcs_refuse_an_unknown_call_clearly()
    {
        await using var host = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["TicketApi:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
        });
        using var channel = GrpcChannel.ForAddress(host.GrpcUrl, new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = host.Credentials() });
        var cti = new Cti.CtiClient(channel);
        var consult = await CtiRefusal.Of(cti.ConsultDepartmentAsync(new ConsultRequest { AgentId = "a1", CallId = "c-none", DepartmentId = "water" }));
        var transfer = await CtiRefusal.Of(cti.CompleteTransferAsync(new CallControlRequest { AgentId = "a1", CallId = "c-none" }));
        var monitor = await CtiRefusal.Of(cti.MonitorAsync(new MonitorRequest { SupervisorUser = "3001", CallId = "c-none", Mode = MonitorMode.Listen }));
        Assert.Multiple(() =>
        {
            Assert.That(consult, Is.EqualTo((StatusCode.NotFound, "The agent has no such call.")));
            Assert.That(transfer, Is.EqualTo((StatusCode.NotFound, "The agent has no such call.")));
            Assert.That(monitor, Is.EqualTo((StatusCode.NotFound, "No such call in progress.")));
        });
    }
}
