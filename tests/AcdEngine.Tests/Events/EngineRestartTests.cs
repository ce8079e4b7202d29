using Hotline.Contracts.V1;
using Hotline.TestSupport;

namespace Hotline.AcdEngine.Tests.Events;

/// <summary>The real AcdEngine process: events written while TicketApi is away survive a kill and a restart.</summary>
[TestFixture]
public sealed class EngineRestartTests
{
    [Test]
    public async Task Events_of_a_killed_engine_are_delivered_by_the_restarted_one_with_sequences_continuing()
    {
        var data = Path.Combine(Path.GetTempPath(), "acd-restart-" + Guid.NewGuid().ToString("N"));
        var ingestPort = FreePort.Next();
        var settings = new Dictionary<string, string>
        {
            // This test expects the no-phone rule (no phone registers here); e2e hosts turn it off by default.
            ["Acd:ReadyNeedsRegisteredPhone"] = "true",
            ["Data:Path"] = data,
            ["TicketApi:Url"] = $"http://127.0.0.1:{ingestPort}",
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500", // No Redis: AutoReady applies.
        };
        try
        {
            await using (var first = await HostProcess.StartHealthyAsync("AcdEngine", settings))
            {
                // The demo agents sign in (AutoReady) at start: two agent events, TicketApi unreachable.
                await first.Process.WaitForLineAsync(l => l.Contains("ACD engine started", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            } // Killed, not stopped gracefully.

            var ledger = new IngestLedger { Expected = 4 };
            await using var ingest = await FakeIngestServer.StartAsync(ingestPort, ledger);
            await using var second = await HostProcess.StartHealthyAsync("AcdEngine", settings);
            await ledger.AllApplied.WaitAsync(TimeSpan.FromSeconds(60));
            var a1 = ledger.Applied.Values.Where(e => e.Agent?.AgentId == "a1").Select(e => e.Agent).OrderBy(e => e.Sequence).ToList();
            Assert.That(a1.Select(e => e.Sequence), Is.EqualTo(new ulong[] { 1, 2 }), "the first engine's event, then the restarted one's, numbered on");
            // No phone registered in this test: AutoReady signs the agent in "not ready (no phone)" (issue 20).
            Assert.That(a1.Select(e => (e.Status, e.Reason)), Is.All.EqualTo((AgentStatus.NotReady, "no phone")));
            Assert.That(a1.Select(e => e.NodeId), Is.All.EqualTo("acd-1"));
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); }
            catch (IOException) { }
        }
    }
}
