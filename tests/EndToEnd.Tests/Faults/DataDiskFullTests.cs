using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.TestSupport;
using static Hotline.EndToEnd.Tests.Faults.TicketApiReads;

namespace Hotline.EndToEnd.Tests.Faults;

/// <summary>
/// Issue 21's "engine data disk full": the engine's Data:Path (outbox + recordings) is a real 16 MiB tmpfs, filled to
/// the last byte while sipp callers reach two baresip agents (auto-answer). Calls placed during the fault are still
/// answered by the agents; the engine says so once (critical) and /healthz reads Degraded; when the fill file is
/// deleted the held events are written and published, recordings resume for new calls, and TicketApi ends with every
/// call, once, ended, and offered = answered + abandoned + overflowed.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class DataDiskFullTests
{
    private const string AdminKey = "e2e-admin-key-0123456789";

    [Test]
    public async Task Calls_go_on_with_the_data_disk_full_the_condition_is_loud_and_nothing_is_lost_when_space_returns()
    {
        using var disk = SmallDisk.TryMount(16, out var whyNot);
        if (disk is null) Assert.Ignore("The data-disk-full fault needs a small file system to fill: " + whyNot);
        var work = Directory.CreateTempSubdirectory("hotline-diskfull-").FullName;
        var sipPort = FreePort.Next();
        await using var tickets = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string> { ["Auth:BootstrapAdminKey"] = AdminKey });
        await using var engine = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = sipPort.ToString(CultureInfo.InvariantCulture),
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500",
            ["TicketApi:Url"] = tickets.GrpcUrl.ToString(),
            ["Data:Path"] = disk!.Path,
            ["Recording:Enabled"] = "true",
            ["Acd:Greeting"] = "",
            ["Acd:WrapUpSeconds"] = "1",
        });
        var voice = await Sox.ToneAsync(work, 600, 60);
        await using var agent1 = Baresip.Start($"<sip:1001@127.0.0.1:{sipPort};transport=udp>;auth_pass=agent1001;regint=600;answermode=auto", voice, seconds: 180);
        await using var agent2 = Baresip.Start($"<sip:1002@127.0.0.1:{sipPort};transport=udp>;auth_pass=agent1002;regint=600;answermode=auto", voice, seconds: 180);
        foreach (var (agent, user) in new[] { (agent1, "1001"), (agent2, "1002") })
        {
            var registered = await agent.Process.WaitForLineAsync(l => l.Contains($"{user}@127.0.0.1", StringComparison.Ordinal) &&
                (l.Contains("200 OK", StringComparison.Ordinal) || l.Contains("Register:", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
            Assert.That(registered, Does.Contain("200 OK"), agent.Process.Output);
        }
        using var http = new HttpClient { BaseAddress = tickets.HttpUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        using var engineHttp = new HttpClient(engine.Credentials()) { BaseAddress = engine.HttpUrl };
        var since = DateTime.UtcNow.AddMinutes(-1);

        await CallAsync(sipPort, 2);
        var before = await PollAsync(() => CallsAsync(http, since), c => c.Count == 2 && c.All(Recorded));

        disk.Fill();
        await CallAsync(sipPort, 3); // every call of the fault answered by the engine (sipp exit 0)
        var health = await PollAsync(() => engineHttp.GetStringAsync(new Uri("/healthz", UriKind.Relative)), h => h == "Degraded");
        var critical = engine.Process.Output.Split('\n').Count(l => l.Contains("Engine data disk", StringComparison.Ordinal) && l.Contains("FTL", StringComparison.Ordinal));

        disk.Free();
        await CallAsync(sipPort, 2);
        var calls = await PollAsync(() => CallsAsync(http, since), c => c.Count == 7 && c.All(Ended));
        await PollAsync(() => engineHttp.GetStringAsync(new Uri("/healthz", UriKind.Relative)), h => h == "Healthy");
        var to = DateTime.UtcNow.AddMinutes(1);
        var total = (await http.GetFromJsonAsync<JsonElement>($"/api/metrics?from={since:O}&to={to:O}")).GetProperty("total");
        TestContext.Out.WriteLine($"critical lines: {critical}; figures: {total}");
        var afterFault = calls.OrderBy(c => c.GetProperty("offeredAt").GetDateTime()).TakeLast(2).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(health, Is.EqualTo("Degraded"));
            Assert.That(critical, Is.InRange(1, 2), "loud, once per store (outbox, recordings), not per packet:\n" + engine.Process.Output);
            Assert.That(engine.Process.Output, Does.Contain("writable again"), "the held events were written when space returned");
            Assert.That(calls.Select(c => c.GetProperty("callId").GetString()), Is.Unique);
            Assert.That(total.GetProperty("offered").GetInt64(), Is.EqualTo(7));
            Assert.That(total.GetProperty("answered").GetInt64(), Is.EqualTo(7), "every call answered by an agent, during the fault too");
            // TicketApi's metrics have no overflow figure (no overflow configured here): offered = answered + abandoned.
            Assert.That(total.GetProperty("answered").GetInt64() + total.GetProperty("abandoned").GetInt64(), Is.EqualTo(total.GetProperty("offered").GetInt64()));
            Assert.That(afterFault.All(Recorded), Is.True, "recordings resume for calls after space returns");
            Assert.That(before, Has.Count.EqualTo(2));
        });
        try { Directory.Delete(work, recursive: true); }
        catch (IOException) { }
    }

    /// <summary><paramref name="count"/> sipp callers, one a second, each hanging up 3 s after the answer; all must succeed.</summary>
    private static async Task CallAsync(int sipPort, int count)
    {
        await using var callers = SippPeer.Start(sipPort, FreePort.Next(), ["-sn", "uac", "-s", "12345"],
            "-m", count.ToString(CultureInfo.InvariantCulture), "-r", "1", "-d", "6000", "-rtp_echo");
        var (code, output) = await callers.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.That(code, Is.Zero, "every call answered\n" + output);
    }

    private static bool Recorded(JsonElement call) => Ended(call) && call.TryGetProperty("recording", out var r) && r.GetString() is { Length: > 0 };
}
