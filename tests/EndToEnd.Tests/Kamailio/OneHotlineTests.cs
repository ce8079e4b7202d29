using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Kamailio;

/// <summary>
/// Issue 19, engines as one hotline, against real peers: the shipped deploy/kamailio/kamailio.cfg in front of two
/// engine processes on one real redis-server; two baresip agents registered only with Kamailio (the engines ring them
/// through it, <c>Sip:AgentProxy</c>); sipp callers through Kamailio, dispatched round robin. With
/// <c>Acd:SharedQueues</c> the callers wait in one line: the agent freed on the engine of the later caller goes to the
/// older caller waiting on the other engine, and every call is answered once.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class OneHotlineTests
{
    private string _work = "";
    private readonly List<IAsyncDisposable> _peers = [];

    [SetUp]
    public void SetUp()
    {
        _work = Path.Combine(Path.GetTempPath(), "hotline-onehotline-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(_work, "db"));
    }

    [TearDown]
    public async Task TearDown()
    {
        for (var i = _peers.Count - 1; i >= 0; i--) await _peers[i].DisposeAsync();
        _peers.Clear();
        try { Directory.Delete(_work, recursive: true); }
        catch (IOException) { }
    }

    [Test]
    public async Task A_caller_waiting_on_one_engine_gets_the_agent_freed_on_the_other_before_its_later_caller()
    {
        var redis = await RedisServer.StartAsync();
        _peers.Add(redis);
        var kamailioPort = FreePort.Next();
        var sipPorts = new[] { FreePort.Next(), FreePort.Next() };
        var starting = sipPorts.Select((port, i) => HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Node:Id"] = "acd-" + (i + 1).ToString(CultureInfo.InvariantCulture),
            ["Sip:Port"] = Port(port),
            ["Sip:AgentProxy"] = $"sip:127.0.0.1:{Port(kamailioPort)}",
            ["Sip:AgentDomain"] = "hotline.test", // Kamailio's DOMAIN: the phones' addresses of record
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Acd:SharedQueues"] = "true",
            ["Acd:Greeting"] = "",
            ["Acd:WrapUpSeconds"] = "1",
            ["Acd:RingTimeoutSeconds"] = "8",
            // No TicketApi here: the events wait in each engine's outbox.
            ["TicketApi:Url"] = $"http://127.0.0.1:{Port(FreePort.Next())}",
        })).ToList();
        var engines = new List<HostProcess>();
        foreach (var s in starting)
        {
            var engine = await s;
            _peers.Add(engine);
            engines.Add(engine);
        }
        await StartKamailioAsync(kamailioPort, sipPorts);

        var voice = await Sox.ToneAsync(_work, 600, 40);
        var phones = new[] { ("1001", "agent1001"), ("1002", "agent1002") }.Select(p =>
        {
            var phone = Baresip.Start($"<sip:{p.Item1}@127.0.0.1:{Port(kamailioPort)};transport=udp>;auth_pass={p.Item2};regint=600;answermode=auto", voice, seconds: 60);
            _peers.Add(phone);
            return (User: p.Item1, Phone: phone);
        }).ToList();
        foreach (var (user, phone) in phones)
        {
            var registered = await phone.Process.WaitForLineAsync(l => l.Contains(user + "@127.0.0.1", StringComparison.Ordinal) &&
                (l.Contains("200 OK", StringComparison.Ordinal) || l.Contains("Register:", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
            Assert.That(registered, Does.Contain("200 OK"), "registered with Kamailio only (the engines have no account binding)\n" + phone.Process.Output);
        }
        var http = engines.Select(e => new HttpClient(e.Credentials()) { BaseAddress = e.HttpUrl }).ToList();

        // A and B talk to the two agents (A long, B short); C then D queue while both are busy. Kamailio's round robin
        // alternates the engines, so C waits on A's engine and D on B's, whose agent is freed first (B hangs up at ~5 s).
        var a = Caller(kamailioPort, talkMs: 9000);
        var onA = await EngineThatAsync(http, q => q.Answered == 1);
        var b = Caller(kamailioPort, talkMs: 4000);
        await PollAsync(() => FiguresAsync(http), f => f.Sum(q => q.Answered) == 2);
        var c = Caller(kamailioPort, talkMs: 7000);
        var onC = await EngineThatAsync(http, q => q.Waiting == 1);
        var d = Caller(kamailioPort, talkMs: 9000);
        await PollAsync(() => FiguresAsync(http), f => f.Sum(q => q.Waiting) == 2);
        var onD = 1 - onC;
        Assert.That(onC, Is.EqualTo(onA), "precondition: Kamailio sent C to A's engine and D to B's (round robin)");

        // B's agent is freed on D's engine: the older caller C, on the other engine, is answered while D waits on.
        var atCAnswered = await PollAsync(() => FiguresAsync(http), f => f[onC].Answered == 2 || f[onD].Answered == 2, TimeSpan.FromSeconds(20));
        Assert.Multiple(() =>
        {
            Assert.That(atCAnswered[onC].Answered, Is.EqualTo(2), "the older caller (C, on the other engine) is answered first");
            Assert.That(atCAnswered[onD].Waiting, Is.EqualTo(1), "the later caller (D) still waits");
        });

        var results = new List<(int Code, string Output)>();
        foreach (var caller in new[] { a, b, c, d }) results.Add(await caller.WaitAsync(TimeSpan.FromSeconds(40)));
        var end = await PollAsync(() => FiguresAsync(http), f => f.Sum(q => q.Answered) == 4);
        Assert.Multiple(() =>
        {
            for (var i = 0; i < results.Count; i++) Assert.That(results[i].Code, Is.Zero, $"caller {"ABCD"[i]} as scripted\n{results[i].Output}");
            Assert.That(end.Sum(q => q.Offered), Is.EqualTo(4), "four calls offered in all");
            Assert.That(end.Sum(q => q.Answered), Is.EqualTo(4), "each answered once");
            Assert.That(end.Sum(q => q.Abandoned), Is.Zero);
            Assert.That(end.Select(q => q.Answered), Has.All.LessThan(4), "each engine's own /api/stats counts only its calls");
        });

        // One hotline on the wallboard (issue 19): each engine's CTI stats stream — what TicketApi's wallboard shows — sums
        // the live engines' figures (through Redis), so either engine shows all four calls.
        foreach (var engine in engines)
        {
            var general = await HotlineQueueAsync(engine, q => q.AnsweredToday == 4);
            Assert.Multiple(() =>
            {
                Assert.That(general?.OfferedToday, Is.EqualTo(4), $"{engine.GrpcUrl}: the whole hotline's offered on its stats stream");
                Assert.That(general?.AnsweredToday, Is.EqualTo(4), $"{engine.GrpcUrl}: the whole hotline's answered");
                Assert.That(general?.AbandonedToday, Is.Zero);
            });
        }
    }

    /// <summary>The "general" queue on an engine's CTI stats stream once <paramref name="done"/> holds (or the last seen after 15 s).</summary>
    private static async Task<QueueStats?> HotlineQueueAsync(HostProcess engine, Func<QueueStats, bool> done)
    {
        using var channel = GrpcChannel.ForAddress(engine.GrpcUrl, new GrpcChannelOptions { HttpHandler = engine.Credentials() });
        var cti = new Cti.CtiClient(channel);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var stream = cti.WatchStats(new WatchStatsRequest(), cancellationToken: cts.Token);
        QueueStats? general = null;
        try
        {
            while (await stream.ResponseStream.MoveNext(cts.Token))
            {
                general = stream.ResponseStream.Current.Queues.SingleOrDefault(q => q.Queue == "general");
                if (general is not null && done(general)) break;
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled)
        {
            // 15 s without it: the last snapshot seen is what the assertions judge.
        }
        return general;
    }

    private SippPeer Caller(int kamailioPort, int talkMs)
    {
        var sipp = SippPeer.Start(kamailioPort, FreePort.Next(), ["-sf", SippPeer.Scenario("caller-via-proxy.xml"), "-s", "12345"],
            "-m", "1", "-d", talkMs.ToString(CultureInfo.InvariantCulture), "-rtp_echo");
        _peers.Add(sipp);
        return sipp;
    }

    /// <summary>The shipped config as is: subscribers 1001/1002 (the demo accounts) in db_text, the two engines in set 1.</summary>
    private async Task StartKamailioAsync(int port, int[] engines)
    {
        var shipped = Path.Combine(RepoPaths.Root, "deploy", "kamailio");
        File.Copy(Path.Combine(shipped, "db", "version"), Path.Combine(_work, "db", "version"));
        await File.WriteAllTextAsync(Path.Combine(_work, "db", "subscriber"),
            await File.ReadAllTextAsync(Path.Combine(shipped, "db", "subscriber")) + "1:1001:127.0.0.1:agent1001:::\n2:1002:127.0.0.1:agent1002:::\n");
        var list = Path.Combine(_work, "dispatcher.list");
        await File.WriteAllLinesAsync(list, engines.Select(e => $"1 sip:127.0.0.1:{Port(e)}"));
        Directory.CreateDirectory(Path.Combine(_work, "run"));
        var kamailio = PeerProcess.Start("kamailio", ["-f", Path.Combine(shipped, "kamailio.cfg"), "-DD", "-E", "-Y", Path.Combine(_work, "run"),
            "-A", $"SIP_PORT={Port(port)}", "-A", "DOMAIN=\"hotline.test\"", "-A", $"DBURL=\"text://{Path.Combine(_work, "db")}\"",
            "-A", $"DISPATCHER_LIST=\"{list}\""], workingDirectory: _work);
        _peers.Add(kamailio);
        await kamailio.WaitForLineAsync(l => l.Contains("processes (at least)", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
    }

    private sealed record QueueFigures(int Waiting, int Offered, int Answered, int Abandoned);

    /// <summary>Each engine's figures (queue "general"), in the engines' order.</summary>
    private static async Task<List<QueueFigures>> FiguresAsync(List<HttpClient> engines)
    {
        var list = new List<QueueFigures>();
        foreach (var engine in engines)
        {
            var stats = await engine.GetFromJsonAsync<JsonElement>("/api/stats");
            var q = stats.GetProperty("queues").EnumerateArray().First(x => x.GetProperty("queue").GetString() == "general");
            list.Add(new QueueFigures(q.GetProperty("waiting").GetInt32(), q.GetProperty("offeredToday").GetInt32(),
                q.GetProperty("answeredToday").GetInt32(), q.GetProperty("abandonedToday").GetInt32()));
        }
        return list;
    }

    private static async Task<int> EngineThatAsync(List<HttpClient> engines, Func<QueueFigures, bool> condition)
    {
        var figures = await PollAsync(() => FiguresAsync(engines), f => f.Any(condition));
        return figures.FindIndex(f => condition(f));
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (!await tick.WaitForNextTickAsync(cts.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result))
                throw new TimeoutException("condition not met in time; last: " + JsonSerializer.Serialize(value));
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
