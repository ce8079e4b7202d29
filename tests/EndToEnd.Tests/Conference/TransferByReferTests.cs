using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Conference;

/// <summary>
/// Issue 8 end to end, blind transfer from a softphone by SIP REFER: a baresip caller (440 Hz) reaches agent 1001 —
/// a sipp softphone that answers, then REFERs the call to department code 1 — and the engine rings the department's
/// baresip 2001 (1300 Hz). sipp checks 202, NOTIFY "100 Trying" (active), NOTIFY "200 OK" (terminated), then the
/// engine's BYE; the caller's dump proves it ends up hearing the department.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TransferByReferTests
{
    private string _work = null!;
    private int _sipPort;
    private HostProcess _engine = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _work = Path.Combine(Path.GetTempPath(), "hotline-refer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_work);
        _sipPort = FreePort.Next();
        _engine = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = P(_sipPort),
            ["TicketApi:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Agents:0:AutoReady"] = "true",
            ["Agents:1:AutoReady"] = "false",
            ["Conference:RingTimeoutSeconds"] = "10",
            ["Acd:WrapUpSeconds"] = "1",
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _engine.DisposeAsync();
        try { Directory.Delete(_work, recursive: true); }
        catch (IOException) { }
    }

    private static string P(int n) => n.ToString(CultureInfo.InvariantCulture);

    [Test]
    public async Task Agent_softphone_refers_the_caller_to_a_department_which_then_talks_with_the_caller()
    {
        var callerTone = await Sox.ToneAsync(_work, 440, 60);
        var departmentTone = await Sox.ToneAsync(_work, 1300, 60);
        await using var department = Baresip.Start($"<sip:2001@127.0.0.1:{P(_sipPort)};transport=udp>;auth_pass=dept2001;regint=600;answermode=auto",
            departmentTone, seconds: 90);
        var registered = await department.Process.WaitForLineAsync(l => l.Contains("2001@127.0.0.1", StringComparison.Ordinal) &&
            (l.Contains("200 OK", StringComparison.Ordinal) || l.Contains("Register:", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
        Assert.That(registered, Does.Contain("200 OK"), department.Process.Output);

        var agentPort = FreePort.Next();
        var users = Path.Combine(_work, "users-1001.csv");
        await File.WriteAllTextAsync(users, "SEQUENTIAL\n1001;\n");
        await using (var register = SippPeer.Start(_sipPort, agentPort, ["-sf", SippPeer.Scenario("register.xml"), "-s", "1001"],
            "-m", "1", "-inf", users, "-au", "1001", "-ap", "agent1001"))
        {
            var (code, output) = await register.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.That(code, Is.Zero, output);
        }
        var scenario = Path.Combine(RepoPaths.Root, "tests", "EndToEnd.Tests", "Conference", "agent-blind-transfer.xml");
        await using var agent = SippPeer.Start(_sipPort, agentPort, ["-sf", scenario, "-key", "refer_to", "1"], "-m", "1");

        var clock = Stopwatch.StartNew();
        await using var caller = Baresip.Start($"<sip:13800138000@127.0.0.1:{P(_sipPort)};transport=udp>;regint=0", callerTone,
            seconds: 90, dial: $"sip:12345@127.0.0.1:{P(_sipPort)}");
        var (agentCode, agentOutput) = await agent.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(agentCode, Is.Zero, "202, NOTIFY 100 Trying, NOTIFY 200 OK (terminated), BYE — in that order:\n" + agentOutput + "\n" + _engine.Process.Output);
        TestContext.Out.WriteLine($"agent released {clock.Elapsed.TotalSeconds:F1} s after the caller dialled");

        await Task.Delay(TimeSpan.FromSeconds(4)); // Caller and department talk: the audio measured below.
        await StopPhoneAsync(department.Process);
        await StopPhoneAsync(caller.Process);
        var callerHeard = caller.HeardFile();
        var departmentHeard = department.HeardFile();
        Assert.That(callerHeard, Is.Not.Null, caller.Process.Output);
        Assert.That(departmentHeard, Is.Not.Null, department.Process.Output);
        var callerHearsDepartment = await BandRmsAsync(callerHeard!, 1250, 1350);
        var departmentHearsCaller = await BandRmsAsync(departmentHeard!, 400, 480);
        Assert.Multiple(() =>
        {
            Assert.That(callerHearsDepartment, Is.GreaterThan(0.02), "the caller hears the department's 1300 Hz");
            Assert.That(departmentHearsCaller, Is.GreaterThan(0.02), "the department hears the caller's 440 Hz");
            Assert.That(_engine.Process.Output, Does.Contain("blind transfer from agent a1 to department:water answered by 2001"));
        });
    }

    [Test]
    public async Task Baresip_agent_transfers_with_its_transfer_command_and_is_released()
    {
        var callerTone = await Sox.ToneAsync(_work, 440, 60);
        var agentTone = await Sox.ToneAsync(_work, 800, 60);
        var departmentTone = await Sox.ToneAsync(_work, 1300, 60);
        await using var department = Baresip.Start($"<sip:2001@127.0.0.1:{P(_sipPort)};transport=udp>;auth_pass=dept2001;regint=600;answermode=auto",
            departmentTone, seconds: 90);
        await using var agent = ConsolePhone.Start($"<sip:1001@127.0.0.1:{P(_sipPort)};transport=udp>;auth_pass=agent1001;regint=600;answermode=auto",
            agentTone, seconds: 90);
        foreach (var (phone, user) in new[] { (department.Process, "2001"), (agent.Process, "1001") })
        {
            var line = await phone.WaitForLineAsync(l => l.Contains(user + "@127.0.0.1", StringComparison.Ordinal) &&
                (l.Contains("200 OK", StringComparison.Ordinal) || l.Contains("Register:", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
            Assert.That(line, Does.Contain("200 OK"), phone.Output);
        }

        await using var caller = Baresip.Start($"<sip:13800138002@127.0.0.1:{P(_sipPort)};transport=udp>;regint=0", callerTone,
            seconds: 90, dial: $"sip:12345@127.0.0.1:{P(_sipPort)}");
        await agent.Process.WaitForLineAsync(l => l.Contains("Call established", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(2)); // Caller and agent talk a little, as they would.
        await agent.CommandAsync($"/transfer sip:1@127.0.0.1:{P(_sipPort)}");
        var closed = await agent.Process.WaitForLineAsync(l => l.Contains("closed", StringComparison.OrdinalIgnoreCase) || l.Contains("terminated", StringComparison.OrdinalIgnoreCase),
            TimeSpan.FromSeconds(30));
        TestContext.Out.WriteLine("agent phone: " + closed);

        await Task.Delay(TimeSpan.FromSeconds(4)); // Caller and department talk: the audio measured below.
        await StopPhoneAsync(department.Process);
        await StopPhoneAsync(caller.Process);
        var callerHeard = caller.HeardFile();
        Assert.That(callerHeard, Is.Not.Null, caller.Process.Output);
        var callerHearsDepartment = await BandRmsAsync(callerHeard!, 1250, 1350);
        var callerHearsAgent = await BandRmsAsync(callerHeard!, 760, 840);
        TestContext.Out.WriteLine($"caller hears department {callerHearsDepartment:F3}, agent {callerHearsAgent:F3}");
        Assert.Multiple(() =>
        {
            Assert.That(callerHearsDepartment, Is.GreaterThan(0.02), "the caller hears the department's 1300 Hz");
            Assert.That(callerHearsAgent, Is.LessThan(callerHearsDepartment / 4), "and no longer the agent's 800 Hz");
            Assert.That(_engine.Process.Output, Does.Contain("blind transfer from agent a1 to department:water answered by 2001"), agent.Process.Output);
        });
    }

    [Test]
    public async Task Agent_softphone_refers_the_caller_with_replaces_naming_the_consultation_and_caller_and_department_stay()
    {
        var callerTone = await Sox.ToneAsync(_work, 440, 60);
        var departmentTone = await Sox.ToneAsync(_work, 1300, 60);
        await using var department = Baresip.Start($"<sip:2001@127.0.0.1:{P(_sipPort)};transport=udp>;auth_pass=dept2001;regint=600;answermode=auto",
            departmentTone, seconds: 90);
        var registered = await department.Process.WaitForLineAsync(l => l.Contains("2001@127.0.0.1", StringComparison.Ordinal) &&
            (l.Contains("200 OK", StringComparison.Ordinal) || l.Contains("Register:", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
        Assert.That(registered, Does.Contain("200 OK"), department.Process.Output);
        var agentPort = await RegisterSippAgentAsync();
        var log = Path.Combine(_work, "agent-attended.log");
        var scenario = Path.Combine(RepoPaths.Root, "tests", "EndToEnd.Tests", "Conference", "agent-attended-transfer.xml");
        await using var agent = SippPeer.Start(_sipPort, agentPort, ["-sf", scenario, "-key", "refer_to", "1", "-trace_logs", "-log_file", log], "-m", "1");

        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(_engine.GrpcUrl, new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = _engine.Credentials() });
        var cti = new Contracts.V1.Cti.CtiClient(channel);
        await SetReadyAsync(cti);
        using var watchCancel = new CancellationTokenSource(TimeSpan.FromSeconds(80));
        using var watch = cti.WatchAgent(new Contracts.V1.AgentRequest { AgentId = "a1" }, cancellationToken: watchCancel.Token);
        await using var caller = Baresip.Start($"<sip:13800138003@127.0.0.1:{P(_sipPort)};transport=udp>;regint=0", callerTone,
            seconds: 90, dial: $"sip:12345@127.0.0.1:{P(_sipPort)}");
        await NextAsync(watch, n => n.State is { Status: Contracts.V1.AgentStatus.Talking });

        // The agent consults the department with the caller on hold (CTI; *8 on the phone does the same).
        var reply = await cti.ConsultDepartmentAsync(new Contracts.V1.ConsultRequest { AgentId = "a1", DepartmentId = "water", HoldCaller = true });
        Assert.That(reply.Ok, Is.True, reply.Error);
        var joined = await NextAsync(watch, n => n.Call is { PayloadCase: Contracts.V1.CallEvent.PayloadOneofCase.DepartmentJoined or Contracts.V1.CallEvent.PayloadOneofCase.TransferFailed });
        Assert.That(joined.Call.DepartmentJoined?.Replaces, Is.Not.Empty, _engine.Process.Output);

        // The desktop hands the consultation's Replaces to the phone (sipp reads it from an INFO in its call), which REFERs.
        var dialog = await AgentDialogAsync(log);
        await SendInfoAsync(agentPort, dialog, "Replaces: " + Uri.EscapeDataString(joined.Call.DepartmentJoined.Replaces));
        var (agentCode, agentOutput) = await agent.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(agentCode, Is.Zero, "202, NOTIFY 100 Trying, NOTIFY 200 OK (terminated), BYE — in that order:\n" + agentOutput + "\n" + _engine.Process.Output);

        await Task.Delay(TimeSpan.FromSeconds(4)); // Caller and department talk: the audio measured below.
        await StopPhoneAsync(department.Process);
        await StopPhoneAsync(caller.Process);
        var callerHeard = caller.HeardFile();
        Assert.That(callerHeard, Is.Not.Null, caller.Process.Output);
        var callerHearsDepartment = await BandRmsAsync(callerHeard!, 1250, 1350);
        Assert.Multiple(() =>
        {
            Assert.That(callerHearsDepartment, Is.GreaterThan(0.02), "the caller hears the department's 1300 Hz");
            Assert.That(_engine.Process.Output, Does.Contain("agent a1 left, call transferred to department water"));
        });
    }

    private async Task<int> RegisterSippAgentAsync()
    {
        var agentPort = FreePort.Next();
        var users = Path.Combine(_work, "users-1001-" + P(agentPort) + ".csv");
        await File.WriteAllTextAsync(users, "SEQUENTIAL\n1001;\n");
        await using var register = SippPeer.Start(_sipPort, agentPort, ["-sf", SippPeer.Scenario("register.xml"), "-s", "1001"],
            "-m", "1", "-inf", users, "-au", "1001", "-ap", "agent1001");
        var (code, output) = await register.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(code, Is.Zero, output);
        return agentPort;
    }

    private static async Task SetReadyAsync(Contracts.V1.Cti.CtiClient cti)
    {
        // After another test's wrap-up the agent may still be wrapping up; ready it (already ready is fine).
        for (var i = 0; i < 20; i++)
        {
            var state = await cti.GetAgentStateAsync(new Contracts.V1.AgentRequest { AgentId = "a1" });
            if (state.Status == Contracts.V1.AgentStatus.Ready) return;
            try
            {
                await cti.SetReadyAsync(new Contracts.V1.AgentRequest { AgentId = "a1" });
            }
            catch (Grpc.Core.RpcException ex) when (ex.StatusCode == Grpc.Core.StatusCode.FailedPrecondition)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250)); // Another process's state: nothing to await but its next figure.
            }
        }
    }

    private static async Task<Contracts.V1.AgentNotification> NextAsync(Grpc.Core.AsyncServerStreamingCall<Contracts.V1.AgentNotification> watch,
        Func<Contracts.V1.AgentNotification, bool> match)
    {
        while (await watch.ResponseStream.MoveNext(CancellationToken.None))
            if (match(watch.ResponseStream.Current)) return watch.ResponseStream.Current;
        throw new InvalidOperationException("The agent stream ended.");
    }

    /// <summary>The Call-ID sipp logged for its call with the engine (another process's file: polled).</summary>
    private static async Task<string> AgentDialogAsync(string log)
    {
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        for (var i = 0; i < 100; i++)
        {
            if (File.Exists(log) && Regex.Match(await File.ReadAllTextAsync(log), @"agent-dialog (\S+)") is { Success: true } m) return m.Groups[1].Value;
            await ticker.WaitForNextTickAsync();
        }
        throw new TimeoutException("sipp never logged its dialog: " + log);
    }

    /// <summary>An INFO into sipp's call (matched by Call-ID) carrying <paramref name="body"/>: the desktop talking to its phone.</summary>
    private static async Task SendInfoAsync(int agentPort, string callId, string body)
    {
        using var udp = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var local = (System.Net.IPEndPoint)udp.Client.LocalEndPoint!;
        var info = $"INFO sip:1001@127.0.0.1:{P(agentPort)} SIP/2.0\r\n" +
            $"Via: SIP/2.0/UDP 127.0.0.1:{P(local.Port)};branch=z9hG4bK-desk-{Guid.NewGuid():N}\r\n" +
            "Max-Forwards: 70\r\nFrom: <sip:desk@127.0.0.1>;tag=desk\r\nTo: <sip:1001@127.0.0.1>\r\n" +
            $"Call-ID: {callId}\r\nCSeq: 1 INFO\r\nContent-Type: text/plain\r\nContent-Length: {P(body.Length + 2)}\r\n\r\n{body}\r\n";
        await udp.SendAsync(System.Text.Encoding.ASCII.GetBytes(info), new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, agentPort));
    }

    private static async Task StopPhoneAsync(PeerProcess phone)
    {
        using (var kill = Process.Start("kill", ["-INT", phone.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        await phone.Exited.WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>RMS (0..1) of the last 2.5 s of <paramref name="file"/> within [lo, hi] Hz (<c>sox FILE -n trim -2.5 sinc lo-hi stat</c>).</summary>
    private static async Task<double> BandRmsAsync(string file, int lo, int hi)
    {
        await using var sox = PeerProcess.Start("sox", [file, "-n", "trim", "-2.5", "sinc", $"{P(lo)}-{P(hi)}", "stat"]);
        await sox.WaitForLineAsync(l => l.Contains("Rough   frequency", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        var m = Regex.Match(sox.Output, @"RMS     amplitude:\s*(-?[0-9.]+)");
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
    }
}
