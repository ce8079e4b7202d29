using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Conference;

/// <summary>
/// Issue 8 end to end: three baresip phones — caller (440 Hz), agent 1001 (800 Hz), department water's 2001 (1300 Hz) —
/// through the real engine. The agent consults the department over CTI; the department hears the caller's tone and
/// the caller the department's (band-filtered RMS of the last seconds of baresip's sndfile dumps).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ThreeWayBaresipTests
{
    private const int RingTimeoutSeconds = 5;
    private string _work = null!;
    private int _sipPort;
    private HostProcess _engine = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _work = Path.Combine(Path.GetTempPath(), "hotline-3way-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_work);
        _sipPort = FreePort.Next();
        _engine = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = P(_sipPort),
            ["TicketApi:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Agents:0:AutoReady"] = "true",
            ["Agents:1:AutoReady"] = "false",
            ["Conference:RingTimeoutSeconds"] = P(RingTimeoutSeconds),
            ["Acd:WrapUpSeconds"] = "1",
            // A department whose only contact is not registered: every attempt fails at once.
            ["Departments:1:Id"] = "gas",
            ["Departments:1:Code"] = "2",
            ["Departments:1:Contacts:0"] = "2999",
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

    private string Account(string user, string password) =>
        $"<sip:{user}@127.0.0.1:{P(_sipPort)};transport=udp>;auth_pass={password};regint=600;answermode=auto";

    private static async Task RegisteredAsync(Baresip phone, string user)
    {
        var line = await phone.Process.WaitForLineAsync(l => l.Contains(user + "@127.0.0.1", StringComparison.Ordinal) &&
            (l.Contains("200 OK", StringComparison.Ordinal) || l.Contains("Register:", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
        Assert.That(line, Does.Contain("200 OK"), phone.Process.Output);
    }

    [Test]
    public async Task Department_joins_the_call_and_caller_and_department_hear_each_other()
    {
        var callerTone = await Sox.ToneAsync(_work, 440, 60);
        var agentTone = await Sox.ToneAsync(_work, 800, 60);
        var departmentTone = await Sox.ToneAsync(_work, 1300, 60);
        await using var agent = Baresip.Start(Account("1001", "agent1001"), agentTone, seconds: 90);
        await using var department = Baresip.Start(Account("2001", "dept2001"), departmentTone, seconds: 90);
        await RegisteredAsync(agent, "1001");
        await RegisteredAsync(department, "2001");

        using var channel = GrpcChannel.ForAddress(_engine.GrpcUrl, new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = _engine.Credentials() });
        var cti = new Cti.CtiClient(channel);
        using var watchCancel = new CancellationTokenSource(TimeSpan.FromSeconds(80));
        using var watch = cti.WatchAgent(new AgentRequest { AgentId = "a1" }, cancellationToken: watchCancel.Token);

        await using var caller = Baresip.Start($"<sip:13800138000@127.0.0.1:{P(_sipPort)};transport=udp>;regint=0", callerTone,
            seconds: 90, dial: $"sip:12345@127.0.0.1:{P(_sipPort)}");
        await NextAsync(watch, n => n.State is { Status: AgentStatus.Talking });

        var requested = Stopwatch.StartNew();
        var reply = await cti.ConsultDepartmentAsync(new ConsultRequest { AgentId = "a1", DepartmentId = "water" });
        Assert.That(reply.Ok, Is.True, reply.Error);
        var joined = await NextAsync(watch, n => n.Call is { PayloadCase: CallEvent.PayloadOneofCase.DepartmentJoined or CallEvent.PayloadOneofCase.TransferFailed });
        var joinSeconds = requested.Elapsed.TotalSeconds;
        Assert.That(joined.Call.PayloadCase, Is.EqualTo(CallEvent.PayloadOneofCase.DepartmentJoined), _engine.Process.Output);
        Assert.That(joinSeconds, Is.LessThan(RingTimeoutSeconds), "department joined within one ring timeout of the request");
        TestContext.Out.WriteLine($"department joined {joinSeconds:F2} s after the consult request");

        // Let the three talk: this is the audio being measured, not a synchronisation.
        await Task.Delay(TimeSpan.FromSeconds(4));
        // The agent leaves (transfer completes); then the department hangs up → the caller is released.
        var transfer = await cti.CompleteTransferAsync(new CallControlRequest { AgentId = "a1" });
        Assert.That(transfer.Ok, Is.True, transfer.Error);
        await Task.Delay(TimeSpan.FromSeconds(3)); // Caller and department alone: audio measured below.
        // SIGINT: baresip hangs up (BYE) and closes its dumps; the engine then releases the caller.
        await StopAsync(department.Process);
        await StopAsync(caller.Process);

        var departmentHeard = department.HeardFile();
        var callerHeard = caller.HeardFile();
        Assert.That(departmentHeard, Is.Not.Null, department.Process.Output);
        Assert.That(callerHeard, Is.Not.Null, caller.Process.Output);
        var departmentHearsCaller = await BandRmsAsync(departmentHeard!, 400, 480);
        var callerHearsDepartment = await BandRmsAsync(callerHeard!, 1250, 1350);
        var callerHearsOwn = await BandRmsAsync(callerHeard!, 400, 480);
        Assert.Multiple(() =>
        {
            Assert.That(departmentHearsCaller, Is.GreaterThan(0.02), "the department hears the caller's 440 Hz");
            Assert.That(callerHearsDepartment, Is.GreaterThan(0.02), "the caller hears the department's 1300 Hz");
            Assert.That(callerHearsOwn, Is.LessThan(callerHearsDepartment / 4), "the caller does not hear itself (mix minus own voice)");
        });
    }

    [Test]
    public async Task Unreachable_department_fails_after_two_attempts_and_caller_and_agent_keep_talking()
    {
        var callerTone = await Sox.ToneAsync(_work, 440, 60);
        var agentTone = await Sox.ToneAsync(_work, 800, 60);
        await using var agent = Baresip.Start(Account("1001", "agent1001"), agentTone, seconds: 90);
        await RegisteredAsync(agent, "1001");
        using var channel = GrpcChannel.ForAddress(_engine.GrpcUrl, new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = _engine.Credentials() });
        var cti = new Cti.CtiClient(channel);
        try
        {
            await cti.SetReadyAsync(new AgentRequest { AgentId = "a1" }); // After the other test's wrap-up, if any.
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
        {
            // Already ready.
        }
        using var watchCancel = new CancellationTokenSource(TimeSpan.FromSeconds(80));
        using var watch = cti.WatchAgent(new AgentRequest { AgentId = "a1" }, cancellationToken: watchCancel.Token);
        await using var caller = Baresip.Start($"<sip:13800138001@127.0.0.1:{P(_sipPort)};transport=udp>;regint=0", callerTone,
            seconds: 90, dial: $"sip:12345@127.0.0.1:{P(_sipPort)}");
        await NextAsync(watch, n => n.State is { Status: AgentStatus.Talking });

        var requested = Stopwatch.StartNew();
        var reply = await cti.ConsultDepartmentAsync(new ConsultRequest { AgentId = "a1", DepartmentId = "gas", HoldCaller = true });
        Assert.That(reply.Ok, Is.True, reply.Error);
        var failed = await NextAsync(watch, n => n.Call is { PayloadCase: CallEvent.PayloadOneofCase.TransferFailed or CallEvent.PayloadOneofCase.DepartmentJoined });
        Assert.Multiple(() =>
        {
            Assert.That(failed.Call.PayloadCase, Is.EqualTo(CallEvent.PayloadOneofCase.TransferFailed), _engine.Process.Output);
            Assert.That(failed.Call.TransferFailed.Attempts, Is.EqualTo(2));
            Assert.That(failed.Call.TransferFailed.Reason, Is.EqualTo("unreachable"));
            Assert.That(requested.Elapsed.TotalSeconds, Is.LessThan(2 * RingTimeoutSeconds), "the caller is not kept waiting");
        });
        await Task.Delay(TimeSpan.FromSeconds(4)); // Tone to the agent (1.2 s), then caller and agent talk: audio measured below.
        await StopAsync(caller.Process);
        var callerHeard = caller.HeardFile();
        Assert.That(callerHeard, Is.Not.Null, caller.Process.Output);
        Assert.That(await BandRmsAsync(callerHeard!, 760, 840), Is.GreaterThan(0.02), "the caller is back with the agent (800 Hz), off hold music");
    }

    internal static async Task StopAsync(PeerProcess phone)
    {
        using (var kill = Process.Start("kill", ["-INT", phone.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        await phone.Exited.WaitAsync(TimeSpan.FromSeconds(20));
    }

    internal static async Task<AgentNotification> NextAsync(AsyncServerStreamingCall<AgentNotification> watch, Func<AgentNotification, bool> match)
    {
        while (await watch.ResponseStream.MoveNext(CancellationToken.None))
            if (match(watch.ResponseStream.Current)) return watch.ResponseStream.Current;
        throw new InvalidOperationException("The agent stream ended.");
    }

    /// <summary>RMS (0..1) of the last 2.5 s of <paramref name="file"/> within [lo, hi] Hz (<c>sox FILE -n trim -2.5 sinc lo-hi stat</c>).</summary>
    internal static async Task<double> BandRmsAsync(string file, int lo, int hi)
    {
        await using var sox = PeerProcess.Start("sox", [file, "-n", "trim", "-2.5", "sinc", $"{P(lo)}-{P(hi)}", "stat"]);
        await sox.WaitForLineAsync(l => l.Contains("Rough   frequency", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        var m = Regex.Match(sox.Output, @"RMS     amplitude:\s*(-?[0-9.]+)");
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
    }
}
