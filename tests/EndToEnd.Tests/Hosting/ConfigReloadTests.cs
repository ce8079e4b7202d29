using System.Globalization;
using System.Net;
using System.Text.Json;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.EndToEnd.Tests.Security;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Hosting;

/// <summary>
/// Live reload (issue 20) with the real engine process, its real configuration file, a registered baresip agent and a
/// raw SIP caller: the file is edited, <c>hotlinectl reload</c> applies it, and the caller who was waiting is put
/// through under the new configuration; a bad file is refused naming the key and the running configuration still routes.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ConfigReloadTests
{
    // The engine reads appsettings.{Environment}.json from its folder and reloads it on request: a file of this test's own.
    private readonly string _environment = "ReloadTest" + Guid.NewGuid().ToString("N")[..12];
    private string _file = null!;
    private string _work = null!;
    private HostProcess _engine = null!;
    private HttpClient _http = null!;
    private Baresip _agent = null!;
    private int _sipPort;

    private static string Config(string a1Queue, string echoNumber = "*43") => $$"""
        {
          "Sip": { "EchoNumber": "{{echoNumber}}" },
          "Acd": { "Queues": { "general": { "Strategy": "LongestIdle" }, "billing": { "Strategy": "LongestIdle" } } },
          "Agents": [
            { "Id": "a1", "User": "1001", "Queues": [ "{{a1Queue}}" ], "AutoReady": true },
            { "Id": "a2", "User": "1002", "Queues": [ "general" ], "AutoReady": false }
          ]
        }
        """;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Assert.That(File.Exists(HotlineCtlRunner.Dll), "build tools/HotlineCtl first: " + HotlineCtlRunner.Dll);
        _file = Path.Combine(RepoPaths.HostOutput("AcdEngine"), $"appsettings.{_environment}.json");
        await File.WriteAllTextAsync(_file, Config(a1Queue: "billing"));
        _work = Path.Combine(Path.GetTempPath(), "hotline-reload-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_work);
        _sipPort = FreePort.Next();
        _engine = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = _environment,
            ["ASPNETCORE_ENVIRONMENT"] = _environment,
            ["Sip:Port"] = _sipPort.ToString(CultureInfo.InvariantCulture),
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500",
            ["TicketApi:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Acd:Greeting"] = "",      // Callers queue at once.
            ["Acd:WrapUpSeconds"] = "1",
        });
        _http = new HttpClient(_engine.Credentials()) { BaseAddress = _engine.HttpUrl };
        var voice = await Sox.ToneAsync(_work, 600, 30);
        _agent = Baresip.Start($"<sip:1001@127.0.0.1:{_sipPort.ToString(CultureInfo.InvariantCulture)};transport=udp>;auth_pass=agent1001;regint=600;answermode=auto",
            voice, seconds: 60);
        var line = await _agent.Process.WaitForLineAsync(l => l.Contains("1001@127.0.0.1", StringComparison.Ordinal) &&
            (l.Contains("200 OK", StringComparison.Ordinal) || l.Contains("Register:", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
        Assert.That(line, Does.Contain("200 OK"), _agent.Process.Output);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http?.Dispose();
        if (_agent is not null) await _agent.DisposeAsync();
        if (_engine is not null) await _engine.DisposeAsync();
        File.Delete(_file);
        try { Directory.Delete(_work, recursive: true); }
        catch (IOException) { }
    }

    [Test]
    public async Task An_edited_file_applies_to_the_waiting_caller_and_a_bad_one_is_refused_while_the_old_one_still_routes()
    {
        using var phone = new RawSipPhone(IPAddress.Loopback, _sipPort);

        // a1 serves billing only: the caller in general waits while a1 is ready.
        var first = await phone.InviteAsync("12345", "13800001111");
        Assert.That(first.Status, Is.EqualTo(200), first.Response);
        var waiting = await PollCallAsync(c => c.GetProperty("phase").GetString() == "queued");
        Assert.That(waiting.GetProperty("queue").GetString(), Is.EqualTo("general"));
        Assert.That(await AgentStatusAsync("a1"), Is.EqualTo("Ready"), "ready, but not in the caller's queue");

        // The operator moves a1 to general (and changes a setting only a restart applies), then reloads.
        await File.WriteAllTextAsync(_file, Config(a1Queue: "general", echoNumber: "*44"));
        var reload = await HotlineCtlRunner.RunAsync(TestCredentials.EngineAdminKey, Engine("reload"));
        Assert.That(reload.ExitCode, Is.Zero, reload.Err);
        Assert.That(reload.Out, Does.Contain("Agents:0:Queues:0: billing -> general"));
        Assert.That(reload.Out, Does.Contain("needs a restart").And.Contain("Sip:EchoNumber"));

        // The caller who was waiting before the reload is put through to a1's phone: the call was never dropped.
        var talking = await PollCallAsync(c => c.GetProperty("callId").GetString() == waiting.GetProperty("callId").GetString()
            && c.GetProperty("phase").GetString() == "talking");
        Assert.That(talking.GetProperty("agent").GetString(), Is.EqualTo("a1"));
        await phone.ByeAsync(first);
        await PollAgentAsync("a1", "Ready"); // Wrap-up is 1 s.

        // A bad file: refused with the key named, by an Admin only; the running configuration is kept.
        await File.WriteAllTextAsync(_file, Config(a1Queue: "nowhere"));
        var supervisor = await HotlineCtlRunner.RunAsync(TestCredentials.SupervisorKey, Engine("reload"));
        Assert.That(supervisor.ExitCode, Is.EqualTo(1), supervisor.Out);
        Assert.That(supervisor.Err, Does.Contain("403"));
        var refused = await HotlineCtlRunner.RunAsync(TestCredentials.EngineAdminKey, Engine("reload"));
        Assert.That(refused.ExitCode, Is.EqualTo(1), refused.Out);
        Assert.That(refused.Err, Does.Contain("Agents:0:Queues 'nowhere' is not a configured queue").And.Contain("running one is kept"));
        Assert.That(refused.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), "one line");
        Assert.That(_engine.Process.Output, Does.Contain("Configuration reload refused"));

        // A new caller still reaches a1 in general: the last good configuration routes.
        var second = await phone.InviteAsync("12345", "13800002222");
        Assert.That(second.Status, Is.EqualTo(200), second.Response);
        var put = await PollCallAsync(c => c.GetProperty("phase").GetString() == "talking" && c.GetProperty("callId").GetString() != waiting.GetProperty("callId").GetString());
        Assert.That(put.GetProperty("agent").GetString(), Is.EqualTo("a1"));
        await phone.ByeAsync(second);
    }

    private string[] Engine(params string[] args) =>
        ["--engine", _engine.HttpUrl.ToString(), "--cti", _engine.GrpcUrl.ToString(), .. args];

    /// <summary>Polls <c>/api/calls/active</c> (a separate process: no event to await) until a call matches.</summary>
    private async Task<JsonElement> PollCallAsync(Func<JsonElement, bool> match)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        string last = "";
        while (true)
        {
            last = await _http.GetStringAsync("/api/calls/active", cts.Token);
            var calls = JsonDocument.Parse(last).RootElement;
            foreach (var c in calls.EnumerateArray()) if (match(c)) return c.Clone();
            if (!await ticker.WaitForNextTickAsync(cts.Token).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default))
                throw new TimeoutException("no matching call; last: " + last + "\n" + _engine.Process.Output);
        }
    }

    private async Task<string?> AgentStatusAsync(string agentId)
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync("/api/stats"));
        return doc.RootElement.GetProperty("agents").EnumerateArray().Single(a => a.GetProperty("agentId").GetString() == agentId).GetProperty("status").GetString();
    }

    private async Task PollAgentAsync(string agentId, string status)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await AgentStatusAsync(agentId) != status)
            if (!await ticker.WaitForNextTickAsync(cts.Token).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default))
                throw new TimeoutException($"agent {agentId} not {status}");
    }
}
