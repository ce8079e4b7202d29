using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.TestSupport;
using static Hotline.EndToEnd.Tests.Conference.ThreeWayBaresipTests;
using static Hotline.EndToEnd.Tests.Faults.TicketApiReads;

namespace Hotline.EndToEnd.Tests.Conference;

/// <summary>
/// Issue 21's "a department phone that answers and sends no media": the agent brings in a department whose phone (a
/// sipp UAS) answers 200 OK with SDP and never sends a packet. The engine's RTP inactivity timeout
/// (<c>Rtp:InactivityTimeoutSeconds</c>) hangs up that leg alone (BYE to it); the caller keeps the agent: they are
/// bridged again and still hear each other, the agent is not left stuck, and TicketApi's figures add up.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SilentDepartmentTests
{
    private const string AdminKey = "e2e-admin-key-0123456789";

    [Test]
    public async Task A_department_phone_that_sends_no_media_is_hung_up_and_the_caller_keeps_the_agent()
    {
        var work = Directory.CreateTempSubdirectory("hotline-silentdept-").FullName;
        var sipPort = FreePort.Next();
        var departmentPort = FreePort.Next();
        var ticketGrpc = $"http://127.0.0.1:{P(FreePort.Next())}";
        // Side by side (the engine's ingest retries a refused connection every second until TicketApi listens).
        var hosts = await HostProcess.StartHealthyTogetherAsync(
            ("TicketApi", new Dictionary<string, string> { ["Auth:BootstrapAdminKey"] = AdminKey, ["Kestrel:Endpoints:Grpc:Url"] = ticketGrpc }),
            ("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = P(sipPort),
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500",
            ["TicketApi:Url"] = ticketGrpc,
            ["Agents:0:AutoReady"] = "true",
            ["Agents:1:AutoReady"] = "false",
            ["Acd:Greeting"] = "",
            ["Acd:WrapUpSeconds"] = "1",
            ["Rtp:InactivityTimeoutSeconds"] = "3",
            ["Departments:0:Id"] = "water",
            ["Departments:0:Code"] = "1",
            ["Departments:0:Contacts:0"] = $"sip:2001@127.0.0.1:{P(departmentPort)}",
        }));
        await using var tickets = hosts[0];
        await using var engine = hosts[1];
        var callerTone = await Sox.ToneAsync(work, 440, 60);
        var agentTone = await Sox.ToneAsync(work, 800, 60);
        await using var agent = Baresip.Start($"<sip:1001@127.0.0.1:{P(sipPort)};transport=udp>;auth_pass=agent1001;regint=600;answermode=auto", agentTone, seconds: 90);
        var registered = await agent.Process.WaitForLineAsync(l => l.Contains("1001@127.0.0.1", StringComparison.Ordinal) &&
            (l.Contains("200 OK", StringComparison.Ordinal) || l.Contains("Register:", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
        Assert.That(registered, Does.Contain("200 OK"), agent.Process.Output);
        // The department's phone: answers with SDP, then silence (no -rtp_echo, no pcap play); one call, then exits.
        await using var department = SippPeer.Start(sipPort, departmentPort, ["-sn", "uas"], "-m", "1");
        await department.WaitBoundAsync();

        using var channel = GrpcChannel.ForAddress(engine.GrpcUrl, new GrpcChannelOptions { HttpHandler = engine.Credentials() });
        var cti = new Cti.CtiClient(channel);
        using var watchCancel = new CancellationTokenSource(TimeSpan.FromSeconds(80));
        using var watch = cti.WatchAgent(new AgentRequest { AgentId = "a1" }, cancellationToken: watchCancel.Token);
        var since = DateTime.UtcNow.AddMinutes(-1);
        await using var caller = Baresip.Start($"<sip:13800138000@127.0.0.1:{P(sipPort)};transport=udp>;regint=0", callerTone,
            seconds: 90, dial: $"sip:12345@127.0.0.1:{P(sipPort)}");
        await NextAsync(watch, n => n.State is { Status: AgentStatus.Talking });

        var reply = await cti.ConsultDepartmentAsync(new ConsultRequest { AgentId = "a1", DepartmentId = "water" });
        Assert.That(reply.Ok, Is.True, reply.Error);
        var joined = await NextAsync(watch, n => n.Call is { PayloadCase: CallEvent.PayloadOneofCase.DepartmentJoined or CallEvent.PayloadOneofCase.TransferFailed });
        Assert.That(joined.Call.PayloadCase, Is.EqualTo(CallEvent.PayloadOneofCase.DepartmentJoined), engine.Process.Output);

        // The silent phone is hung up by the engine (it gets a BYE and ends its one call as scripted).
        var (code, output) = await department.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(code, Is.Zero, "the department's leg ended by the engine's BYE\n" + output);
        var during = await cti.GetAgentStateAsync(new AgentRequest { AgentId = "a1" });
        Assert.That(during.Status, Is.EqualTo(AgentStatus.Talking), "the caller keeps the agent");
        await Task.Delay(TimeSpan.FromSeconds(4)); // Caller and agent talk again: this is the audio measured below.
        await StopAsync(caller.Process);
        var callerHeard = caller.HeardFile();
        Assert.That(callerHeard, Is.Not.Null, caller.Process.Output);
        var callerHearsAgent = await BandRmsAsync(callerHeard!, 760, 840);

        using var http = new HttpClient { BaseAddress = tickets.HttpUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var calls = await PollAsync(() => CallsAsync(http, since), c => c.Count == 1 && c[0].TryGetProperty("endedAt", out var e) && e.ValueKind != JsonValueKind.Null);
        var timeline = await TimelineAsync(http, calls[0].GetProperty("callId").GetString()!);
        var to = DateTime.UtcNow.AddMinutes(1);
        var total = (await http.GetFromJsonAsync<JsonElement>($"/api/metrics?from={since:O}&to={to:O}")).GetProperty("total");
        var after = await PollAsync(async () => await cti.GetAgentStateAsync(new AgentRequest { AgentId = "a1" }),
            s => s.Status is AgentStatus.Ready or AgentStatus.WrapUp);
        var kinds = timeline.Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(callerHearsAgent, Is.GreaterThan(0.02), "the caller hears the agent (800 Hz) after the silent leg is gone");
            Assert.That(engine.Process.Output, Does.Contain("for the inactivity timeout; media timed out"), "the engine says why it hung up");
            Assert.That(kinds, Does.Contain("DepartmentJoined"), string.Join(",", kinds));
            Assert.That(calls[0].GetProperty("agentId").GetString(), Is.EqualTo("a1"));
            Assert.That(calls[0].GetProperty("hangupBy").GetString(), Is.EqualTo("Caller"), "the caller ended it, not the timeout");
            Assert.That(total.GetProperty("offered").GetInt64(), Is.EqualTo(1));
            Assert.That(total.GetProperty("answered").GetInt64(), Is.EqualTo(1));
            Assert.That(after.Status, Is.AnyOf(AgentStatus.Ready, AgentStatus.WrapUp), "the agent is not stuck");
        });
        try { Directory.Delete(work, recursive: true); }
        catch (IOException) { }
    }

    private static string P(int n) => n.ToString(CultureInfo.InvariantCulture);
}
