using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.TestSupport;
using static Hotline.EndToEnd.Tests.Faults.TicketApiReads;

namespace Hotline.EndToEnd.Tests.Faults;

/// <summary>
/// The engine SIGKILLed with callers queued: on restart it closes their calls in TicketApi as ended by engine failure
/// (COMMON.md contract), once each, and they land on the abandoned list.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class EngineKillTests
{
    private const string AdminKey = "e2e-admin-key-0123456789";
    private const int Callers = 3;

    [Test]
    public async Task Calls_up_when_the_engine_is_killed_are_closed_once_as_engine_failure_after_restart()
    {
        var data = Directory.CreateTempSubdirectory("hotline-kill-").FullName;
        var ticketsGrpc = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var sipPort = FreePort.Next();
        var settings = new Dictionary<string, string>
        {
            ["Data:Path"] = data,
            ["Sip:Port"] = sipPort.ToString(CultureInfo.InvariantCulture),
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500",
            ["TicketApi:Url"] = ticketsGrpc.ToString(),
            // Nobody answers: the callers wait in the queue, which is where the kill finds them.
            ["Agents:0:AutoReady"] = "false",
            ["Agents:1:AutoReady"] = "false",
        };
        await using var tickets = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string>
        {
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["Kestrel:Endpoints:Grpc:Url"] = ticketsGrpc.ToString(),
        });
        using var http = new HttpClient { BaseAddress = tickets.HttpUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var since = DateTime.UtcNow.AddMinutes(-1);
        try
        {
            string[] callIds;
            await using (var engine = await HostProcess.StartHealthyAsync("AcdEngine", settings))
            {
                await using var callers = SippPeer.Start(sipPort, FreePort.Next(), ["-sn", "uac", "-s", "12345"],
                    "-m", Callers.ToString(CultureInfo.InvariantCulture), "-r", "10", "-d", "120000", "-rtp_echo");
                // TicketApi has each call queued (the engine published it): the calls are up.
                var calls = await PollAsync(() => CallsAsync(http, since), c => c.Count(HasQueued) == Callers);
                callIds = [.. calls.Select(c => c.GetProperty("callId").GetString()!)];
                System.Diagnostics.Process.GetProcessById(engine.Process.Id).Kill(); // SIGKILL: no shutdown path runs.
                await engine.Process.Exited.WaitAsync(TimeSpan.FromSeconds(10));
            }

            await using var restarted = await HostProcess.StartHealthyAsync("AcdEngine", settings);
            var closed = await PollAsync(async () => await Task.WhenAll(callIds.Select(id => TimelineAsync(http, id))),
                timelines => timelines.All(t => t.Any(e => Kind(e) == "Ended")));
            var abandoned = await http.GetFromJsonAsync<JsonElement>("/api/abandoned");
            Assert.Multiple(() =>
            {
                foreach (var timeline in closed)
                {
                    var ended = timeline.Where(e => Kind(e) == "Ended").ToList();
                    Assert.That(ended, Has.Count.EqualTo(1), "no double CallEnded");
                    Assert.That(timeline.Count(e => Kind(e) == "Abandoned"), Is.EqualTo(1), "one CallAbandoned: the caller was queued");
                    var payload = ended[0].GetProperty("event").GetProperty("ended");
                    Assert.That(payload.GetProperty("hangupBy").GetString(), Is.EqualTo("HANGUP_BY_SYSTEM"));
                    Assert.That(payload.GetProperty("reason").GetString(), Is.EqualTo("engine-failure"));
                }
                var listed = abandoned.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("callId").GetString()).ToList();
                Assert.That(listed, Is.SupersetOf(callIds), "the callers are on the abandoned list to be called back");
                Assert.That(restarted.Process.Output, Does.Contain("closed them as ended by engine failure"));
            });
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); }
            catch (IOException) { }
        }
    }

    private static bool HasQueued(JsonElement call) => call.GetProperty("queuedAt").ValueKind != JsonValueKind.Null;

    private static string? Kind(JsonElement e) => e.GetProperty("kind").GetString();
}
