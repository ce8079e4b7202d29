using System.Globalization;
using Hotline.EndToEnd.Tests.Sip;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Kamailio;

/// <summary>
/// The shipped deploy/kamailio/kamailio.cfg, run as is by the real kamailio binary (site values given as -A defines):
/// new INVITEs are dispatched over the engines and fail over from a dead engine to the next; phones register through
/// Kamailio with digest (a wrong password is refused). The "engines" here are Kamailio's stateless answering config
/// (tools/SipBench), one of them dead (nothing listens on its port).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class KamailioFrontTests
{
    private string _work = "";
    private readonly List<PeerProcess> _peers = [];

    [SetUp]
    public void SetUp()
    {
        _work = Path.Combine(Path.GetTempPath(), "hotline-kam-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(_work, "db"));
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var p in _peers) await p.DisposeAsync();
        _peers.Clear();
        try { Directory.Delete(_work, recursive: true); }
        catch (IOException) { }
    }

    private static string Port(int p) => p.ToString(CultureInfo.InvariantCulture);

    private async Task<PeerProcess> StartAsync(string config, string runDir, params string[] defines)
    {
        Directory.CreateDirectory(Path.Combine(_work, runDir));
        var args = new List<string> { "-f", config, "-DD", "-E", "-Y", Path.Combine(_work, runDir) };
        foreach (var d in defines) args.AddRange(["-A", d]);
        var kamailio = PeerProcess.Start("kamailio", args, workingDirectory: _work);
        _peers.Add(kamailio);
        // The shipped config logs at INFO ("processes (at least)" once its children run); the stateless one only
        // prints its sockets.
        await kamailio.WaitForLineAsync(l => l.Contains("processes (at least)", StringComparison.Ordinal) || l.Contains("Listening on", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20));
        return kamailio;
    }

    /// <summary>The shipped config with a db_text subscriber table holding one phone account, and the given engines.</summary>
    private async Task<(PeerProcess Kamailio, int Port)> StartFrontAsync(params int[] engines)
    {
        var shipped = Path.Combine(RepoPaths.Root, "deploy", "kamailio");
        File.Copy(Path.Combine(shipped, "db", "version"), Path.Combine(_work, "db", "version"));
        await File.WriteAllTextAsync(Path.Combine(_work, "db", "subscriber"),
            await File.ReadAllTextAsync(Path.Combine(shipped, "db", "subscriber")) + "1:1001:127.0.0.1:secret1001:::\n");
        var list = Path.Combine(_work, "dispatcher.list");
        await File.WriteAllLinesAsync(list, engines.Select(e => $"1 sip:127.0.0.1:{Port(e)}"));
        var port = FreePort.Next();
        var kamailio = await StartAsync(Path.Combine(shipped, "kamailio.cfg"), "front",
            $"SIP_PORT={Port(port)}", "DOMAIN=\"hotline.test\"", $"DBURL=\"text://{Path.Combine(_work, "db")}\"", $"DISPATCHER_LIST=\"{list}\"",
            // Probing is slowed down so that the dead engine is still active when the calls come: the failover under test
            // is the INVITE's own (no answer within INVITE_FR_TIMER → next engine), not the probe's. 2 s instead of the shipped
            // 5 s: invite-answered.xml gives up on a call not answered within 5 s.
            "DS_PING=3600", "INVITE_FR_TIMER=2000");
        return (kamailio, port);
    }

    [Test]
    public async Task New_calls_reach_a_live_engine_when_the_other_does_not_answer()
    {
        var live = FreePort.Next();
        var dead = FreePort.Next();
        await StartAsync(Path.Combine(RepoPaths.Root, "tools", "SipBench", "kamailio-stateless.cfg"), "engine", $"PORT={Port(live)}");
        var (front, port) = await StartFrontAsync(dead, live);

        var (code, output) = await Sipp.RunAsync(port, "invite-answered.xml", "12345", calls: 4, rate: 4);

        Assert.That(code, Is.Zero, output);
        Assert.That(front.Output, Does.Contain($"engine sip:127.0.0.1:{Port(dead)} failed (408)"), "round robin sent some calls to the dead engine first");
        Assert.That(front.Output, Does.Contain($"to sip:127.0.0.1:{Port(live)}"));
    }

    [Test]
    public async Task A_phone_registers_through_Kamailio_with_its_password_and_not_without()
    {
        var (_, port) = await StartFrontAsync(FreePort.Next());
        var users = Path.Combine(_work, "users.csv");
        await File.WriteAllTextAsync(users, "SEQUENTIAL\n1001;\n");

        var (good, goodOutput) = await Sipp.RunAsync(port, "register.xml", "1001", 1, 1, "-inf", users, "-au", "1001", "-ap", "secret1001");
        var (bad, _) = await Sipp.RunAsync(port, "register.xml", "1001", 1, 1, "-inf", users, "-au", "1001", "-ap", "wrong-password");

        Assert.That(good, Is.Zero, goodOutput);
        Assert.That(bad, Is.Not.Zero, "a wrong password gets no 200");
    }
}
