using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.EndToEnd.Tests.Security;
using Hotline.TestSupport;
using static Hotline.EndToEnd.Tests.Faults.TicketApiReads;

namespace Hotline.EndToEnd.Tests.Faults;

/// <summary>
/// Issue 21's faults, each while sipp callers keep dialling the real engine: TicketApi killed and restarted, Redis
/// killed and restarted, a caller whose network drops mid-call (RTP stops, no BYE). Every call is still answered,
/// nothing is lost (TicketApi ends up with every call, once, ended), and offered = answered + abandoned.
/// Nobody is signed in to answer, so every caller waits in the queue and hangs up there: the abandon path.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class FaultsUnderLoadTests
{
    private const string AdminKey = "e2e-admin-key-0123456789";
    private const int Calls = 10;

    private sealed class Line : IAsyncDisposable
    {
        public required string Data { get; init; }
        public required Uri TicketsGrpc { get; init; }
        public required int SipPort { get; init; }
        public required RedisServer Redis { get; set; }
        public HostProcess Tickets { get; set; } = null!;
        public HostProcess Engine { get; set; } = null!;

        public Dictionary<string, string> TicketSettings() => new()
        {
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["Kestrel:Endpoints:Grpc:Url"] = TicketsGrpc.ToString(),
            ["Data:Path"] = Data,
        };

        public HttpClient TicketsHttp()
        {
            var http = new HttpClient { BaseAddress = Tickets.HttpUrl };
            http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
            return http;
        }

        public async ValueTask DisposeAsync()
        {
            await Engine.DisposeAsync();
            await Tickets.DisposeAsync();
            await Redis.DisposeAsync();
            try { Directory.Delete(Data, recursive: true); }
            catch (IOException) { }
        }
    }

    private static async Task<Line> StartLineAsync(Dictionary<string, string>? engineExtra = null)
    {
        var line = new Line
        {
            Data = Directory.CreateTempSubdirectory("hotline-faults-").FullName,
            TicketsGrpc = new Uri($"http://127.0.0.1:{FreePort.Next()}"),
            SipPort = FreePort.Next(),
            Redis = await RedisServer.StartAsync(),
        };
        line.Tickets = await HostProcess.StartHealthyAsync("TicketApi", line.TicketSettings());
        var engine = new Dictionary<string, string>
        {
            ["Sip:Port"] = line.SipPort.ToString(CultureInfo.InvariantCulture),
            ["ConnectionStrings:Redis"] = line.Redis.ConnectionString,
            ["TicketApi:Url"] = line.TicketsGrpc.ToString(),
            ["Agents:0:AutoReady"] = "false",
            ["Agents:1:AutoReady"] = "false",
        };
        foreach (var (k, v) in engineExtra ?? []) engine[k] = v;
        line.Engine = await HostProcess.StartHealthyAsync("AcdEngine", engine);
        return line;
    }

    /// <summary>sipp callers to the hotline, each hanging up 4 s after the answer (in the queue).</summary>
    private static SippPeer Callers(Line line) => SippPeer.Start(line.SipPort, FreePort.Next(), ["-sn", "uac", "-s", "12345"],
        "-m", Calls.ToString(CultureInfo.InvariantCulture), "-r", "2", "-d", "4000", "-rtp_echo");

    [Test]
    public async Task TicketApi_killed_while_calls_go_on_gets_every_call_once_when_it_is_back()
    {
        await using var line = await StartLineAsync();
        var since = DateTime.UtcNow.AddMinutes(-1);
        await using var callers = Callers(line);
        using (var http = line.TicketsHttp())
            await PollAsync(() => CallsAsync(http, since), c => c.Count >= 2);
        System.Diagnostics.Process.GetProcessById(line.Tickets.Process.Id).Kill(); // SIGKILL: nothing flushed.
        await line.Tickets.Process.Exited.WaitAsync(TimeSpan.FromSeconds(10));

        var (code, output) = await callers.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.That(code, Is.Zero, "every call answered while TicketApi was down\n" + output);

        await line.Tickets.DisposeAsync();
        line.Tickets = await HostProcess.StartHealthyAsync("TicketApi", line.TicketSettings());
        using var after = line.TicketsHttp();
        var calls = await PollAsync(() => CallsAsync(after, since), c => c.Count == Calls && c.All(Ended));
        await AssertFiguresAddUpAsync(after, since, calls);
    }

    [Test]
    public async Task Redis_killed_and_restarted_while_calls_go_on_loses_no_call()
    {
        await using var line = await StartLineAsync();
        var since = DateTime.UtcNow.AddMinutes(-1);
        using var http = line.TicketsHttp();
        await using var callers = Callers(line);
        await PollAsync(() => CallsAsync(http, since), c => c.Count >= 2);
        var (port, password) = (line.Redis.Port, line.Redis.Password);
        await line.Redis.DisposeAsync(); // killed
        await PollAsync(() => CallsAsync(http, since), c => c.Count >= 5); // calls still arrive without Redis
        line.Redis = await RedisServer.StartAsync(port, password);

        var (code, output) = await callers.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.That(code, Is.Zero, "every call answered with Redis down and back\n" + output);
        var calls = await PollAsync(() => CallsAsync(http, since), c => c.Count == Calls && c.All(Ended));
        await AssertFiguresAddUpAsync(http, since, calls);
        using var engine = new HttpClient(line.Engine.Credentials()) { BaseAddress = line.Engine.HttpUrl };
        using var healthz = await engine.GetAsync("/healthz");
        Assert.That(healthz.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the engine is healthy again once Redis is back");
    }

    [Test]
    public async Task A_caller_whose_network_drops_in_the_queue_is_hung_up_after_the_media_timeout_and_listed_to_call_back()
    {
        await using var line = await StartLineAsync(new Dictionary<string, string> { ["Rtp:InactivityTimeoutSeconds"] = "2" });
        var since = DateTime.UtcNow.AddMinutes(-1);
        using var http = line.TicketsHttp();
        using var caller = new RawSipPhone(IPAddress.Loopback, line.SipPort);
        var call = await caller.InviteAsync("12345", fromUser: "13800001234");
        Assert.That(call.Status, Is.EqualTo(200), call.Response);
        var engineRtp = new IPEndPoint(IPAddress.Loopback, call.MediaPort);
        var packet = new byte[172];
        packet[0] = 0x80;
        for (var i = 0; i < 200; i++) // 4 s of voice (past the greeting, into the queue), then the network is gone: no RTP, no BYE
        {
            packet[2] = (byte)(i >> 8);
            packet[3] = (byte)i;
            await caller.Rtp.SendAsync(packet, engineRtp);
            await Task.Delay(20); // the pace of RTP itself
        }
        var bye = await caller.WaitForByeAsync(call, TimeSpan.FromSeconds(20));
        Assert.That(bye, Does.StartWith("BYE "), "the engine hangs up the silent leg");
        var calls = await PollAsync(() => CallsAsync(http, since), c => c.Count == 1 && c.All(Ended));
        var timeline = await http.GetFromJsonAsync<JsonElement>($"/api/calls/{calls[0].GetProperty("callId").GetString()}");
        var kinds = timeline.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        var abandoned = await http.GetFromJsonAsync<JsonElement>("/api/abandoned");
        Assert.Multiple(() =>
        {
            // The caller left the queue (their network did): abandoned, so the call is on the list to be called back.
            Assert.That(kinds.Count(k => k == "Abandoned"), Is.EqualTo(1), string.Join(",", kinds));
            Assert.That(kinds.Count(k => k == "Ended"), Is.EqualTo(1));
            Assert.That(abandoned.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("callId").GetString()),
                Does.Contain(calls[0].GetProperty("callId").GetString()));
            Assert.That(line.Engine.Process.Output, Does.Contain("abandoned in"));
        });
        await AssertFiguresAddUpAsync(http, since, calls);
    }

    private static async Task AssertFiguresAddUpAsync(HttpClient http, DateTime since, List<JsonElement> calls)
    {
        var to = DateTime.UtcNow.AddMinutes(1);
        var total = (await http.GetFromJsonAsync<JsonElement>($"/api/metrics?from={since:O}&to={to:O}")).GetProperty("total");
        var ids = calls.Select(c => c.GetProperty("callId").GetString()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ids, Is.Unique, "each call once");
            Assert.That(total.GetProperty("offered").GetInt64(), Is.EqualTo(calls.Count));
            Assert.That(total.GetProperty("answered").GetInt64() + total.GetProperty("abandoned").GetInt64(), Is.EqualTo(calls.Count),
                "offered = answered + abandoned (no overflow configured)");
        });
    }
}
