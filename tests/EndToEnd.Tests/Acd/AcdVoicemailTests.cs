using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Acd;

/// <summary>
/// Voicemail overflow over real SIP: a baresip caller (its microphone a 600 Hz tone) waits past the queue's maximum
/// wait with no agent, hears the prompt and the beep, and is recorded for <c>Acd:Voicemail:MaxSeconds</c>; the WAV
/// holds the caller's tone and TicketApi (a real process) opens a voicemail work order pointing at it.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class AcdVoicemailTests
{
    private const string AdminKey = "e2e-admin-key-voicemail-0123456789";

    [Test]
    public async Task A_caller_past_the_maximum_wait_leaves_a_voicemail_that_becomes_a_work_order()
    {
        var work = Path.Combine(Path.GetTempPath(), "hotline-vm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var sipPort = FreePort.Next();
            var ticketGrpc = $"http://127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}";
            // Side by side (the engine's ingest retries a refused connection every second until TicketApi listens).
            var hosts = await HostProcess.StartHealthyTogetherAsync(
                ("TicketApi", new Dictionary<string, string> { ["Auth:BootstrapAdminKey"] = AdminKey, ["Kestrel:Endpoints:Grpc:Url"] = ticketGrpc }),
                ("AcdEngine", new Dictionary<string, string>
            {
                ["Sip:Port"] = sipPort.ToString(CultureInfo.InvariantCulture),
                ["TicketApi:Url"] = ticketGrpc,
                ["Agents:0:AutoReady"] = "false",
                ["Agents:1:AutoReady"] = "false",
                ["Acd:Greeting"] = "",
                ["Acd:AnnounceEverySeconds"] = "0",
                ["Acd:Queues:general:MaxWaitSeconds"] = "2",
                ["Acd:Queues:general:Overflow"] = "Voicemail",
                ["Acd:Voicemail:MaxSeconds"] = "5",
            }));
            await using var ticket = hosts[0];
            await using var engine = hosts[1];
            var voice = await Sox.ToneAsync(work, 600, 40);
            await using var phone = Baresip.Start($"<sip:13800138000@127.0.0.1:{sipPort.ToString(CultureInfo.InvariantCulture)};transport=udp>;regint=0",
                voice, seconds: 40, dial: $"sip:12345@127.0.0.1:{sipPort.ToString(CultureInfo.InvariantCulture)}");
            await phone.Process.WaitForLineAsync(l => l.Contains("Call established", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(15));
            // The engine hangs up after the thanks prompt: baresip reports the call closed.
            await phone.Process.WaitForLineAsync(l => l.Contains("closed", StringComparison.OrdinalIgnoreCase) || l.Contains("terminated", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(40));

            using var http = new HttpClient { BaseAddress = ticket.HttpUrl };
            http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
            var order = await PollVoicemailOrderAsync(http);
            Assert.That(order, Is.Not.Null, "TicketApi opened a voicemail work order; engine: " + engine.Process.Output);
            var location = order!.Value.GetProperty("content").GetString()!["Voicemail: ".Length..];
            Assert.That(location, Does.StartWith(engine.DataPath).And.EndWith(".wav"));
            Assert.That(File.Exists(location), Is.True, location);
            var (frequency, rms, seconds) = await Sox.StatAsync(location);
            Assert.Multiple(() =>
            {
                Assert.That(seconds, Is.InRange(4.5, 5.5), "recorded up to Acd:Voicemail:MaxSeconds");
                Assert.That(rms, Is.GreaterThan(0.05), "the caller's voice, not silence");
                Assert.That(frequency, Is.InRange(560, 640), "the caller's 600 Hz tone");
                Assert.That(order.Value.GetProperty("callerNumber").GetString(), Is.EqualTo("13800138000"));
                Assert.That(order.Value.GetProperty("kind").GetString(), Is.EqualTo("Voicemail"));
            });
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); }
            catch (IOException) { }
        }
    }

    // Polling a separate process's database: there is no in-process event to await.
    private static async Task<JsonElement?> PollVoicemailOrderAsync(HttpClient http)
    {
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var page = await http.GetFromJsonAsync<JsonElement>("/api/workorders?pageSize=20");
            foreach (var item in page.GetProperty("items").EnumerateArray())
                if (item.GetProperty("content").GetString()?.StartsWith("Voicemail: ", StringComparison.Ordinal) == true) return item;
            if (!await ticker.WaitForNextTickAsync(cts.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default)) return null;
        }
    }
}
