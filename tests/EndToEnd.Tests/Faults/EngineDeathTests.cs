using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.TestSupport;
using static Hotline.EndToEnd.Tests.Faults.TicketApiReads;

namespace Hotline.EndToEnd.Tests.Faults;

/// <summary>
/// Two engines on one real redis-server and one real TicketApi (issue 19): engine acd-1 is SIGKILLed with a caller
/// talking to baresip agent 1001 and a caller waiting in the queue. Engine acd-2 sees acd-1's heartbeat lapse and closes
/// both calls in TicketApi as ended by engine failure, the waiting one on the abandoned list; acd-1's own restart closes
/// them again from its journal with the same event ids, and TicketApi keeps one of each.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class EngineDeathTests
{
    private const string AdminKey = "e2e-admin-key-0123456789";
    private const int HeartbeatMs = 500;
    private const int DeadAfterMs = 2500;

    [Test]
    public async Task A_killed_engines_calls_are_closed_by_the_surviving_engine_once_and_not_doubled_by_its_restart()
    {
        var work = Directory.CreateTempSubdirectory("hotline-death-").FullName;
        await using var redis = await RedisServer.StartAsync();
        var ticketsGrpc = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var sipPort = FreePort.Next();
        Dictionary<string, string> Engine(string node, string? data = null, int? sip = null)
        {
            var s = new Dictionary<string, string>
            {
                ["Node:Id"] = node,
                ["Node:HeartbeatMilliseconds"] = HeartbeatMs.ToString(CultureInfo.InvariantCulture),
                ["Node:DeadAfterMilliseconds"] = DeadAfterMs.ToString(CultureInfo.InvariantCulture),
                ["ConnectionStrings:Redis"] = redis.ConnectionString,
                ["TicketApi:Url"] = ticketsGrpc.ToString(),
                ["Acd:Greeting"] = "",
                ["Acd:AnnounceEverySeconds"] = "0",
                ["Acd:WrapUpSeconds"] = "1",
                // a1 (1001) takes the first caller; a2 is not ready, so the second caller waits in the queue.
                ["Agents:1:AutoReady"] = "false",
            };
            if (data is not null) s["Data:Path"] = data;
            if (sip is not null) s["Sip:Port"] = sip.Value.ToString(CultureInfo.InvariantCulture);
            return s;
        }
        var acd1Settings = Engine("acd-1", Path.Combine(work, "acd-1"), sipPort);
        var clock = Stopwatch.StartNew();
        // The three hosts start side by side (the test's time is mostly theirs).
        var startTickets = HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string>
        {
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["Kestrel:Endpoints:Grpc:Url"] = ticketsGrpc.ToString(),
        });
        var startAcd2 = HostProcess.StartHealthyAsync("AcdEngine", Engine("acd-2"));
        var startAcd1 = HostProcess.StartHealthyAsync("AcdEngine", acd1Settings);
        await using var tickets = await startTickets;
        await using var acd2 = await startAcd2;
        using var http = new HttpClient { BaseAddress = tickets.HttpUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var since = DateTime.UtcNow.AddMinutes(-1);
        var tone = await Sox.ToneAsync(work, 600, 5);
        try
        {
            string talking, queued;
            long killedAt;
            await using (var acd1 = await startAcd1)
            {
                TestContext.Out.WriteLine($"hosts up after {clock.Elapsed.TotalSeconds:F1} s");
                // Agent presence is shared: a2 signed in not ready ("training") through acd-1's CTI is so on acd-2.
                using (var cti1 = GrpcChannel.ForAddress(acd1.GrpcUrl, new GrpcChannelOptions { HttpHandler = acd1.Credentials() }))
                using (var cti2 = GrpcChannel.ForAddress(acd2.GrpcUrl, new GrpcChannelOptions { HttpHandler = acd2.Credentials() }))
                {
                    var one = new Cti.CtiClient(cti1);
                    await one.SignInAsync(new SignInRequest { AgentId = "a2", Ready = false });
                    await one.SetNotReadyAsync(new NotReadyRequest { AgentId = "a2", Reason = "training" });
                    var two = new Cti.CtiClient(cti2);
                    var seen = await PollAsync(async () => await two.GetAgentStateAsync(new AgentRequest { AgentId = "a2" }),
                        r => r.Status == AgentStatus.NotReady && r.Reason == "training", TimeSpan.FromSeconds(20));
                    Assert.That(seen.Reason, Is.EqualTo("training"));
                }
                await using var agent = Baresip.Start($"<sip:1001@127.0.0.1:{sipPort};transport=udp>;auth_pass=agent1001;regint=600;answermode=auto", tone, 120);
                var registered = await agent.Process.WaitForLineAsync(l => l.Contains("1001@127.0.0.1", StringComparison.Ordinal) &&
                    (l.Contains("200 OK", StringComparison.Ordinal) || l.Contains("Register:", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
                Assert.That(registered, Does.Contain("200 OK"), agent.Process.Output);

                await using var first = SippPeer.Start(sipPort, FreePort.Next(), ["-sn", "uac", "-s", "12345"], "-m", "1", "-d", "120000", "-rtp_echo");
                var answered = await PollAsync(() => CallsAsync(http, since), c => c.Any(IsAnswered));
                talking = answered.Single(IsAnswered).GetProperty("callId").GetString()!;
                await using var second = SippPeer.Start(sipPort, FreePort.Next(), ["-sn", "uac", "-s", "12345"], "-m", "1", "-d", "120000", "-rtp_echo");
                var calls = await PollAsync(() => CallsAsync(http, since), c => c.Any(x => HasQueued(x) && !IsAnswered(x)));
                queued = calls.Single(x => HasQueued(x) && !IsAnswered(x)).GetProperty("callId").GetString()!;

                TestContext.Out.WriteLine($"one talking, one waiting after {clock.Elapsed.TotalSeconds:F1} s");
                Process.GetProcessById(acd1.Process.Id).Kill(); // SIGKILL: no shutdown path runs.
                killedAt = Stopwatch.GetTimestamp();
                await acd1.Process.Exited.WaitAsync(TimeSpan.FromSeconds(10));

                // acd-2 closes both calls; TicketApi shows them ended while acd-1 is still down.
                await PollAsync(() => CallsAsync(http, since), c => c.Count(x => Ended(x)) == 2, TimeSpan.FromSeconds(60));
                var closedAfter = Stopwatch.GetElapsedTime(killedAt);
                TestContext.Out.WriteLine($"calls closed in TicketApi {closedAfter.TotalSeconds:F1} s after the kill (heartbeat {HeartbeatMs} ms, dead after {DeadAfterMs} ms)");
                Assert.That(acd2.Process.Output, Does.Contain("Engine acd-1 is dead"));
            }
            await AssertClosedOnceAsync(http, since, talking, queued);

            // acd-1 restarts on its data folder: its journal closes the same calls again, with the same event ids.
            await using var restarted = await HostProcess.StartHealthyAsync("AcdEngine", acd1Settings);
            await restarted.Process.WaitForLineAsync(l => l.Contains("closed them as ended by engine failure", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            await restarted.Process.WaitForLineAsync(l => l.Contains("Publishing events to TicketApi", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            await PollAsync(() => RestartedOutboxEmptyAsync(restarted), empty => empty, TimeSpan.FromSeconds(30));
            await AssertClosedOnceAsync(http, since, talking, queued);
            TestContext.Out.WriteLine($"restart delivered its closing events after {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); }
            catch (IOException) { }
        }
    }

    private static async Task AssertClosedOnceAsync(HttpClient http, DateTime since, string talking, string queued)
    {
        var calls = await CallsAsync(http, since);
        var abandoned = (await http.GetFromJsonAsync<JsonElement>("/api/abandoned")).GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("callId").GetString()).ToList();
        var talkingTimeline = await TimelineAsync(http, talking);
        var queuedTimeline = await TimelineAsync(http, queued);
        Assert.Multiple(() =>
        {
            Assert.That(calls, Has.Count.EqualTo(2), "each call once");
            Assert.That(calls.Select(c => c.GetProperty("nodeId").GetString()), Has.All.EqualTo("acd-1"), "a call keeps the node that took it");
            foreach (var timeline in new[] { talkingTimeline, queuedTimeline })
            {
                var ended = timeline.Where(e => Kind(e) == "Ended").ToList();
                Assert.That(ended, Has.Count.EqualTo(1), "no double CallEnded");
                var payload = ended[0].GetProperty("event").GetProperty("ended");
                Assert.That(payload.GetProperty("hangupBy").GetString(), Is.EqualTo("HANGUP_BY_SYSTEM"));
                Assert.That(payload.GetProperty("reason").GetString(), Is.EqualTo("engine-failure"));
            }
            Assert.That(queuedTimeline.Count(e => Kind(e) == "Abandoned"), Is.EqualTo(1), "the waiting caller abandoned once");
            Assert.That(talkingTimeline.Count(e => Kind(e) == "Abandoned"), Is.Zero, "the talking caller was answered");
            Assert.That(abandoned, Does.Contain(queued), "the waiting caller is on the abandoned list to be called back");
            Assert.That(abandoned, Does.Not.Contain(talking));
        });
    }

    /// <summary>The restarted engine has delivered its closing events (its outbox gauge is 0).</summary>
    private static async Task<bool> RestartedOutboxEmptyAsync(HostProcess engine)
    {
        using var client = new HttpClient(engine.Credentials()) { BaseAddress = engine.HttpUrl };
        var metrics = await client.GetStringAsync("/metrics");
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("hotline_outbox_pending", StringComparison.Ordinal));
        return line is not null && line.Split(' ')[1].Trim() == "0";
    }

    private static bool HasQueued(JsonElement call) => call.GetProperty("queuedAt").ValueKind != JsonValueKind.Null;

    private static bool IsAnswered(JsonElement call) => call.GetProperty("answeredAt").ValueKind != JsonValueKind.Null;

    private static string? Kind(JsonElement e) => e.GetProperty("kind").GetString();
}
