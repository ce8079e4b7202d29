using System.Diagnostics;
using System.Globalization;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Hosting;

/// <summary>
/// Both programs connected to each other (the engine's ingest stream to TicketApi, TicketApi's wallboard stream to the
/// engine) stop promptly on Ctrl-C: neither waits out .NET's 30 s shutdown timeout for the other's stream (issue 20).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class ShutdownTests
{
    [Test]
    public async Task Connected_programs_stop_on_Ctrl_C_without_waiting_for_each_others_streams()
    {
        await using var redis = await RedisServer.StartAsync();
        var engineGrpc = FreePort.Next();
        var ticketGrpc = FreePort.Next();
        await using var ticketApi = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Grpc:Url"] = Url(ticketGrpc),
            ["AcdEngine:Url"] = Url(engineGrpc),
        });
        await using var engine = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Grpc:Url"] = Url(engineGrpc),
            ["TicketApi:Url"] = Url(ticketGrpc),
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
        });
        // Both long-lived streams are open: the engine has had an ack, the wallboard feed a snapshot.
        try { await engine.Process.WaitForLineAsync(l => l.Contains("Publishing events to TicketApi", StringComparison.Ordinal), TimeSpan.FromSeconds(30)); }
        catch (TimeoutException) { Assert.Fail("engine never published:\n" + engine.Process.Output + "\nTICKETAPI:\n" + ticketApi.Process.Output); }
        await ticketApi.Process.WaitForLineAsync(l => l.Contains("AcdEngine live figures connected", StringComparison.Ordinal) || l.Contains("AcdEngine live figures back", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        // Both at once, as the old run.sh did: each host's handler still has the other's stream open when it stops.
        var stops = await Task.WhenAll(InterruptAsync(ticketApi.Process), InterruptAsync(engine.Process));
        var (ticketStop, engineStop) = (stops[0], stops[1]);
        Assert.Multiple(() =>
        {
            Assert.That(ticketStop.ExitCode, Is.EqualTo(0), ticketApi.Process.Output);
            Assert.That(engineStop.ExitCode, Is.EqualTo(0), engine.Process.Output);
            // .NET's shutdown timeout is 30 s: well under it means no handler was waited out. The 2 s target is in the Timing test.
            Assert.That(ticketStop.Took, Is.LessThan(TimeSpan.FromSeconds(10)), "TicketApi stop");
            Assert.That(engineStop.Took, Is.LessThan(TimeSpan.FromSeconds(10)), "engine stop");
        });
    }

    private static string Url(int port) => "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);

    private static async Task<(int ExitCode, TimeSpan Took)> InterruptAsync(PeerProcess process)
    {
        var watch = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        var code = await process.Exited.WaitAsync(TimeSpan.FromSeconds(40));
        return (code, watch.Elapsed);
    }
}
