using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Acd;

/// <summary>
/// The ACD end to end on loopback: the engine process with a real redis-server and a real TicketApi process (the
/// events' receiver), two baresip agents (1001, 1002: registered, auto-answer), a sipp agent that never answers
/// (2001), and sipp callers with RTP. One engine for the fixture; tests run in order and count from the previous.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class AcdCallTests
{
    private const string AdminKey = "e2e-admin-key-acd-0123456789";
    private RedisServer _redis = null!;
    private HostProcess _ticket = null!;
    private HostProcess _engine = null!;
    private GrpcChannel _channel = null!;
    private Cti.CtiClient _cti = null!;
    private HttpClient _http = null!;
    private Baresip _agent1 = null!;
    private Baresip _agent2 = null!;
    private string _work = null!;
    private int _sipPort;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _work = Path.Combine(Path.GetTempPath(), "hotline-acd-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_work);
        _redis = await RedisServer.StartAsync();
        _sipPort = FreePort.Next();
        // Side by side (the engine's ingest retries a refused connection every second until TicketApi listens).
        var ticketGrpc = $"http://127.0.0.1:{Port(FreePort.Next())}";
        var hosts = await HostProcess.StartHealthyTogetherAsync(
            ("TicketApi", new Dictionary<string, string> { ["Auth:BootstrapAdminKey"] = AdminKey, ["Kestrel:Endpoints:Grpc:Url"] = ticketGrpc }),
            ("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = Port(_sipPort),
            ["ConnectionStrings:Redis"] = _redis.ConnectionString,
            ["TicketApi:Url"] = ticketGrpc,
            ["Acd:RingTimeoutSeconds"] = "4",
            ["Acd:WrapUpSeconds"] = "1",
            // These tests time the queue and the agents (sipp pauses), not the greeting: none, so callers queue at once.
            // AcdGreetingTests proves a real caller hears the shipped greeting before hold music.
            ["Acd:Greeting"] = "",
            ["Agents:2:Id"] = "a3",
            ["Agents:2:User"] = "2001",
            ["Agents:2:Queues:0"] = "general",
            ["Agents:2:AutoReady"] = "false",
        }));
        (_ticket, _engine) = (hosts[0], hosts[1]);
        _channel = GrpcChannel.ForAddress(_engine.GrpcUrl, new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = _engine.Credentials() });
        _cti = new Cti.CtiClient(_channel);
        _http = new HttpClient(_engine.Credentials()) { BaseAddress = _engine.HttpUrl };
        var voice = await Sox.ToneAsync(_work, 600, 60);
        _agent1 = Baresip.Start(AgentAccount("1001", "agent1001"), voice, seconds: 170);
        _agent2 = Baresip.Start(AgentAccount("1002", "agent1002"), voice, seconds: 170);
        foreach (var (phone, user) in new[] { (_agent1, "1001"), (_agent2, "1002") })
        {
            var line = await phone.Process.WaitForLineAsync(l => l.Contains(user + "@127.0.0.1", StringComparison.Ordinal) &&
                (l.Contains("200 OK", StringComparison.Ordinal) || l.Contains("Register:", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
            Assert.That(line, Does.Contain("200 OK"), phone.Process.Output);
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        _channel.Dispose();
        await _agent1.DisposeAsync();
        await _agent2.DisposeAsync();
        await _engine.DisposeAsync();
        await _ticket.DisposeAsync();
        await _redis.DisposeAsync();
        try { Directory.Delete(_work, recursive: true); }
        catch (IOException) { }
    }

    private string AgentAccount(string user, string password) =>
        $"<sip:{user}@127.0.0.1:{Port(_sipPort)};transport=udp>;auth_pass={password};regint=600;answermode=auto";

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    [Test, Order(1)]
    public async Task Sipp_callers_are_all_answered_by_baresip_agents_and_every_event_reaches_TicketApi()
    {
        // Four callers, one every 2 s, each staying 6 s after the engine answers: two wait in the queue for an agent.
        await using var callers = SippPeer.Start(_sipPort, FreePort.Next(), ["-sn", "uac", "-s", "12345"],
            "-m", "4", "-r", "1", "-rp", "2000", "-d", "6000", "-rtp_echo");
        var (code, output) = await callers.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(code, Is.Zero, output);

        var queue = await PollQueueAsync(q => q.GetProperty("answeredToday").GetInt32() + q.GetProperty("abandonedToday").GetInt32() >= 4);
        var metrics = await PollMetricsAsync(m => m.GetProperty("answered").GetInt64() >= 4);
        Assert.Multiple(() =>
        {
            Assert.That(queue.GetProperty("offeredToday").GetInt32(), Is.EqualTo(4), _engine.Process.Output);
            Assert.That(queue.GetProperty("answeredToday").GetInt32(), Is.EqualTo(4), "every caller reached an agent");
            Assert.That(queue.GetProperty("abandonedToday").GetInt32(), Is.Zero);
            Assert.That(queue.GetProperty("answeredWithinServiceLevelToday").GetInt32(), Is.EqualTo(4), "all within 15 s");
            Assert.That(queue.GetProperty("serviceLevelToday").GetDouble(), Is.EqualTo(1.0));
            Assert.That(queue.GetProperty("averageSpeedOfAnswerMs").GetInt64(), Is.GreaterThan(0));
            Assert.That(metrics.GetProperty("offered").GetInt64(), Is.EqualTo(4), "TicketApi received every offered call");
            Assert.That(metrics.GetProperty("answered").GetInt64(), Is.EqualTo(4), "TicketApi received every CallAnswered");
            Assert.That(_engine.Process.Output, Does.Contain("answered by a1").And.Contain("answered by a2"));
        });
    }

    [Test, Order(2)]
    public async Task An_agent_who_never_answers_gets_RONA_and_the_next_agent_answers()
    {
        var before = await QueueAsync();
        await using var absent = await RegisterSippAgentAsync("2001", "dept2001");
        await _cti.SignInAsync(new SignInRequest { AgentId = "a3", Ready = true });
        await _cti.SetNotReadyAsync(new NotReadyRequest { AgentId = "a1", Reason = "test" });
        await _cti.SetNotReadyAsync(new NotReadyRequest { AgentId = "a2", Reason = "test" });

        await using var caller = SippPeer.Start(_sipPort, FreePort.Next(), ["-sn", "uac", "-s", "12345"], "-m", "1", "-d", "12000", "-rtp_echo");
        // The absent agent's phone rings for the ring timeout (4 s), then the engine CANCELs it.
        var (absentCode, absentOutput) = await absent.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(absentCode, Is.Zero, absentOutput);
        var a3 = await _cti.GetAgentStateAsync(new AgentRequest { AgentId = "a3" });
        Assert.That((a3.Status, a3.Reason), Is.EqualTo((AgentStatus.NotReady, "rona")));

        // The next agent becomes available while the caller still waits: they are rung and answer.
        await _cti.SetReadyAsync(new AgentRequest { AgentId = "a2" });
        var (code, output) = await caller.WaitAsync(TimeSpan.FromSeconds(40));
        Assert.That(code, Is.Zero, output);
        var queue = await PollQueueAsync(q => q.GetProperty("answeredToday").GetInt32() > before.GetProperty("answeredToday").GetInt32());
        Assert.That(queue.GetProperty("abandonedToday").GetInt32(), Is.EqualTo(before.GetProperty("abandonedToday").GetInt32()));
        await _cti.SetReadyAsync(new AgentRequest { AgentId = "a1" });
    }

    [Test, Order(3)]
    public async Task A_caller_hanging_up_while_the_agent_rings_cancels_the_agents_INVITE()
    {
        var before = await QueueAsync();
        await using var agent = await RegisterSippAgentAsync("2001", "dept2001");
        await _cti.SetNotReadyAsync(new NotReadyRequest { AgentId = "a1", Reason = "test" });
        await _cti.SetNotReadyAsync(new NotReadyRequest { AgentId = "a2", Reason = "test" });
        await _cti.SetReadyAsync(new AgentRequest { AgentId = "a3" });

        // The caller leaves 2 s after the engine answers, before the 4 s ring timeout.
        await using var caller = SippPeer.Start(_sipPort, FreePort.Next(), ["-sn", "uac", "-s", "12345"], "-m", "1", "-d", "2000", "-rtp_echo");
        var (callerCode, callerOutput) = await caller.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(callerCode, Is.Zero, callerOutput);
        var (code, output) = await agent.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(code, Is.Zero, "the agent's phone got CANCEL: " + output);

        var queue = await PollQueueAsync(q => q.GetProperty("abandonedToday").GetInt32() > before.GetProperty("abandonedToday").GetInt32());
        var a3 = await _cti.GetAgentStateAsync(new AgentRequest { AgentId = "a3" });
        Assert.Multiple(() =>
        {
            Assert.That(queue.GetProperty("answeredToday").GetInt32(), Is.EqualTo(before.GetProperty("answeredToday").GetInt32()));
            Assert.That(a3.Status, Is.EqualTo(AgentStatus.Ready), "a caller's hang-up is not the agent's fault: no RONA");
        });
        await _cti.SetReadyAsync(new AgentRequest { AgentId = "a1" });
        await _cti.SetReadyAsync(new AgentRequest { AgentId = "a2" });
    }

    /// <summary>Registers <paramref name="user"/> from a sipp port, then runs the never-answering agent on that port.</summary>
    private async Task<SippPeer> RegisterSippAgentAsync(string user, string password)
    {
        var port = FreePort.Next();
        var users = Path.Combine(_work, "users-" + user + ".csv");
        await File.WriteAllTextAsync(users, $"SEQUENTIAL\n{user};\n");
        await using (var register = SippPeer.Start(_sipPort, port, ["-sf", SippPeer.Scenario("register.xml"), "-s", user],
            "-m", "1", "-inf", users, "-au", user, "-ap", password))
        {
            var (code, output) = await register.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.That(code, Is.Zero, output);
        }
        return SippPeer.Start(_sipPort, port, ["-sf", SippPeer.Scenario("agent-never-answers.xml")], "-m", "1");
    }

    private async Task<JsonElement> QueueAsync()
    {
        var stats = await _http.GetFromJsonAsync<JsonElement>("/api/stats");
        return stats.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("queue").GetString() == "general");
    }

    // Polling a separate process's published figures: there is no in-process event to await.
    private async Task<JsonElement> PollQueueAsync(Func<JsonElement, bool> done)
    {
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var q = await QueueAsync();
            if (done(q) || !await ticker.WaitForNextTickAsync(cts.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default)) return q;
        }
    }

    private async Task<JsonElement> PollMetricsAsync(Func<JsonElement, bool> done)
    {
        using var http = new HttpClient { BaseAddress = _ticket.HttpUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var day = DateTime.UtcNow.Date;
        var url = $"/api/metrics?from={day.AddDays(-1):yyyy-MM-dd}T00:00:00Z&to={day.AddDays(2):yyyy-MM-dd}T00:00:00Z";
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var total = (await http.GetFromJsonAsync<JsonElement>(url)).GetProperty("total");
            if (done(total) || !await ticker.WaitForNextTickAsync(cts.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default)) return total;
        }
    }
}
