using System.Globalization;
using System.Text.Json;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.EndToEnd.Tests.Sip;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Hosting;

/// <summary>
/// The operators' console tool (issue 20) as a real process against a real engine: a real sipp caller is listed with its
/// number masked and hung up; agent states are set over CTI and shown; refusals are one line with exit codes 1/2.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class HotlineCtlTests
{
    private HostProcess _engine = null!;
    private int _sipPort;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Assert.That(File.Exists(HotlineCtlRunner.Dll), "build tools/HotlineCtl first: " + HotlineCtlRunner.Dll);
        _sipPort = FreePort.Next();
        _engine = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = _sipPort.ToString(CultureInfo.InvariantCulture),
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500",
            ["TicketApi:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            // No agent takes the call: it stays queued for the tool to see and hang up. No greeting: queued at once.
            ["Agents:0:AutoReady"] = "false",
            ["Agents:1:AutoReady"] = "false",
            ["Acd:Greeting"] = "",
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _engine.DisposeAsync();

    private string[] Engine(params string[] args) =>
        ["--engine", _engine.HttpUrl.ToString(), "--cti", _engine.GrpcUrl.ToString(), .. args];

    [Test]
    public async Task A_queued_sipp_call_is_listed_masked_and_an_admin_hangs_it_up()
    {
        await using var caller = SippPeer.Start(_sipPort, FreePort.Next(), ["-sf", Scenario("queued-caller.xml"), "-s", "12345"], "-m", "1");

        // The call appears in `calls --json` (polled: the tool is a separate process with no event to await).
        JsonElement call = default;
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            while (call.ValueKind != JsonValueKind.Object)
            {
                var json = await HotlineCtlRunner.RunAsync(TestCredentials.EngineAdminKey, Engine("--json", "calls"));
                Assert.That(json.ExitCode, Is.Zero, json.Err);
                call = JsonDocument.Parse(json.Out).RootElement.EnumerateArray()
                    .FirstOrDefault(c => c.GetProperty("phase").GetString() == "queued");
                if (call.ValueKind != JsonValueKind.Object) await Task.Delay(200, cts.Token);
            }
        }
        var callId = call.GetProperty("callId").GetString()!;
        Assert.That(call.GetProperty("caller").GetString(), Is.EqualTo("*******1111"));
        Assert.That(call.GetProperty("queue").GetString(), Is.EqualTo("general"));

        // The table a supervisor sees: aligned columns, the number masked.
        var table = await HotlineCtlRunner.RunAsync(TestCredentials.SupervisorKey, Engine("calls"));
        Assert.That(table.ExitCode, Is.Zero, table.Err);
        var lines = table.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.StartWith("CALL").And.Contain("CALLER"));
        var row = lines.Single(l => l.StartsWith(callId, StringComparison.Ordinal));
        Assert.That(row.IndexOf("*******1111", StringComparison.Ordinal), Is.EqualTo(lines[0].IndexOf("CALLER", StringComparison.Ordinal)), "columns aligned");
        Assert.That(table.Out, Does.Not.Contain("13800001111"));

        // A supervisor may look but not hang up; an admin may.
        var refused = await HotlineCtlRunner.RunAsync(TestCredentials.SupervisorKey, Engine("hangup", callId));
        Assert.That((refused.ExitCode, refused.Err), Is.EqualTo((1, refused.Err)));
        Assert.That(refused.Err, Does.Contain("403").And.Contain("HOTLINE_KEY"));
        var hangup = await HotlineCtlRunner.RunAsync(TestCredentials.EngineAdminKey, Engine("hangup", callId));
        Assert.That(hangup.ExitCode, Is.Zero, hangup.Err);
        Assert.That(hangup.Out, Does.Contain($"call {callId} hung up"));

        // The caller really got the BYE, and the call is gone.
        var (code, output) = await caller.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(code, Is.Zero, "sipp received the engine's BYE: " + output);
        var again = await HotlineCtlRunner.RunAsync(TestCredentials.EngineAdminKey, Engine("hangup", callId));
        Assert.That(again.ExitCode, Is.EqualTo(1));
        Assert.That(again.Err, Does.Contain("No call " + callId));
        Assert.That(again.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), "one line");
        // The engine's log names the call and the key that ended it (an audit line), never the full number.
        Assert.That(_engine.Process.Output.Split('\n').Any(l => l.Contains(callId, StringComparison.Ordinal)
            && l.Contains("hung up by an operator", StringComparison.Ordinal) && l.Contains("test-admin", StringComparison.Ordinal)), _engine.Process.Output);
        await _engine.Process.WaitForLineAsync(l => l.Contains(callId, StringComparison.Ordinal) && l.Contains("operator-hangup", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10));
        Assert.That(_engine.Process.Output, Does.Not.Contain("13800001111"));
    }

    [Test]
    public async Task A_supervisor_sets_an_agent_not_ready_ready_and_signed_out_and_agents_shows_it()
    {
        var signIn = await HotlineCtlRunner.RunAsync(TestCredentials.SupervisorKey, Engine("agent", "a2", "sign-in"));
        Assert.That(signIn.ExitCode, Is.Zero, signIn.Err);
        var notReady = await HotlineCtlRunner.RunAsync(TestCredentials.SupervisorKey, Engine("agent", "a2", "not-ready", "team meeting"));
        Assert.That(notReady.ExitCode, Is.Zero, notReady.Err);
        Assert.That(notReady.Out, Does.Contain("agent a2: NotReady (team meeting)"));

        var agents = await HotlineCtlRunner.RunAsync(TestCredentials.SupervisorKey, Engine("agents"));
        Assert.That(agents.ExitCode, Is.Zero, agents.Err);
        var row = agents.Out.Split('\n').Single(l => l.StartsWith("a2 ", StringComparison.Ordinal));
        Assert.That(row, Does.Contain("NotReady").And.Contain("team meeting"));

        var json = await HotlineCtlRunner.RunAsync(TestCredentials.EngineAdminKey, Engine("--json", "agents"));
        var a2 = JsonDocument.Parse(json.Out).RootElement.EnumerateArray().Single(a => a.GetProperty("agentId").GetString() == "a2");
        Assert.That(a2.GetProperty("reason").GetString(), Is.EqualTo("team meeting"));

        // An agent's own key may change its own state only.
        var other = await HotlineCtlRunner.RunAsync(TestCredentials.AgentA1Key, Engine("agent", "a2", "ready"));
        Assert.That(other.ExitCode, Is.EqualTo(1));
        Assert.That(other.Err, Does.Contain("403"));

        var signOut = await HotlineCtlRunner.RunAsync(TestCredentials.SupervisorKey, Engine("--json", "agent", "a2", "sign-out"));
        Assert.That(signOut.ExitCode, Is.Zero, signOut.Err);
        Assert.That(JsonDocument.Parse(signOut.Out).RootElement.GetProperty("status").GetString(), Is.EqualTo("SignedOut"));
    }

    [Test]
    public async Task Queues_and_registrations_show_the_engine_state()
    {
        var (code, output) = await Sipp.RunAsync(_sipPort, "register.xml", "1001", 1, 10,
            "-inf", Path.Combine(RepoPaths.Root, "tools", "sipp", "users.csv"), "-au", "1001", "-ap", "agent1001");
        Assert.That(code, Is.Zero, output);
        var registrations = await HotlineCtlRunner.RunAsync(TestCredentials.SupervisorKey, Engine("registrations"));
        Assert.That(registrations.ExitCode, Is.Zero, registrations.Err);
        Assert.That(registrations.Out.Split('\n').Any(l => l.StartsWith("1001 ", StringComparison.Ordinal)), registrations.Out);

        var queues = await HotlineCtlRunner.RunAsync(TestCredentials.SupervisorKey, Engine("queues"));
        Assert.That(queues.ExitCode, Is.Zero, queues.Err);
        Assert.That(queues.Out, Does.StartWith("QUEUE"));
        Assert.That(queues.Out.Split('\n').Any(l => l.StartsWith("general ", StringComparison.Ordinal)), queues.Out);
    }

    [Test]
    public async Task Refusals_are_one_line_with_exit_codes_and_never_print_the_key()
    {
        const string wrong = "not-a-configured-key-0123456789";
        var unknownKey = await HotlineCtlRunner.RunAsync(wrong, Engine("agents"));
        Assert.That(unknownKey.ExitCode, Is.EqualTo(1));
        Assert.That(unknownKey.Err, Does.Contain("401").And.Contain("HOTLINE_KEY").And.Contain("Api:Keys"));
        Assert.That(unknownKey.Err + unknownKey.Out, Does.Not.Contain(wrong));

        var keyFile = Path.Combine(Path.GetTempPath(), "hotlinectl-key-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(keyFile, TestCredentials.AgentA1Key + "\n");
        try
        {
            var agentKey = await HotlineCtlRunner.RunAsync(null, Engine("--key-file", keyFile, "agents"));
            Assert.That(agentKey.ExitCode, Is.EqualTo(1));
            Assert.That(agentKey.Err, Does.Contain("403").And.Contain(keyFile));
            Assert.That(agentKey.Err, Does.Not.Contain(TestCredentials.AgentA1Key));
        }
        finally
        {
            File.Delete(keyFile);
        }

        var unknownAgent = await HotlineCtlRunner.RunAsync(TestCredentials.EngineAdminKey, Engine("agent", "nobody", "ready"));
        Assert.That(unknownAgent.ExitCode, Is.EqualTo(1));
        Assert.That(unknownAgent.Err, Does.Contain("nobody"));

        var unreachable = await HotlineCtlRunner.RunAsync(TestCredentials.EngineAdminKey, "--engine", $"http://127.0.0.1:{FreePort.Next()}", "calls");
        Assert.That(unreachable.ExitCode, Is.EqualTo(1));
        Assert.That(unreachable.Err, Does.Contain("cannot reach the engine API"));

        var noKey = await HotlineCtlRunner.RunAsync(null, Engine("calls"));
        Assert.That((noKey.ExitCode, noKey.Err.Trim()), Is.EqualTo((2, "hotlinectl: no API key: pass --key-file FILE or set HOTLINE_KEY (an engine Api:Keys entry)")));
        var usage = await HotlineCtlRunner.RunAsync(TestCredentials.EngineAdminKey, Engine("agent", "a1", "dance"));
        Assert.That(usage.ExitCode, Is.EqualTo(2));
        foreach (var r in new[] { unknownKey, unknownAgent, unreachable, usage })
            Assert.That(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), r.Err);
    }

    private static string Scenario(string name) => Path.Combine(RepoPaths.Root, "tests", "EndToEnd.Tests", "Hosting", "sipp", name);
}
