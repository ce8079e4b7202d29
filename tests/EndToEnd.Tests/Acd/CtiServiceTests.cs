using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Acd;

/// <summary>The CTI gRPC service and /api/stats of the real AcdEngine process, with a real redis-server.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class CtiServiceTests
{
    private RedisServer _redis = null!;
    private HostProcess _host = null!;
    private GrpcChannel _channel = null!;
    private Cti.CtiClient _cti = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _redis = await RedisServer.StartAsync();
        _host = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = _redis.ConnectionString,
            ["TicketApi:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Agents:0:AutoReady"] = "false",
            ["Agents:1:AutoReady"] = "true",
        });
        _channel = GrpcChannel.ForAddress(_host.GrpcUrl, new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = _host.Credentials() });
        _cti = new Cti.CtiClient(_channel);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _channel.Dispose();
        await _host.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Test]
    public async Task An_agent_signs_in_goes_not_ready_with_a_reason_and_back_to_ready()
    {
        var signedIn = await _cti.SignInAsync(new SignInRequest { AgentId = "a1", Ready = false });
        Assert.That(signedIn.Status, Is.EqualTo(AgentStatus.NotReady));
        var ready = await _cti.SetReadyAsync(new AgentRequest { AgentId = "a1" });
        Assert.That(ready.Status, Is.EqualTo(AgentStatus.Ready));
        var onBreak = await _cti.SetNotReadyAsync(new NotReadyRequest { AgentId = "a1", Reason = "break" });
        Assert.That((onBreak.Status, onBreak.Reason), Is.EqualTo((AgentStatus.NotReady, "break")));
        var state = await _cti.GetAgentStateAsync(new AgentRequest { AgentId = "a1" });
        Assert.That(state.Status, Is.EqualTo(AgentStatus.NotReady));
        await _cti.SignOutAsync(new AgentRequest { AgentId = "a1" });
    }

    [Test]
    public void Illegal_requests_are_clear_grpc_errors()
    {
        var unknown = Assert.ThrowsAsync<RpcException>(async () => await _cti.SetReadyAsync(new AgentRequest { AgentId = "nobody" }));
        Assert.That(unknown!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        var illegal = Assert.ThrowsAsync<RpcException>(async () => await _cti.CompleteWrapUpAsync(new AgentRequest { AgentId = "a2" }));
        Assert.That(illegal!.StatusCode, Is.EqualTo(StatusCode.FailedPrecondition));
        Assert.That(illegal.Status.Detail, Does.Contain("a2"));
        var noReason = Assert.ThrowsAsync<RpcException>(async () => await _cti.SetNotReadyAsync(new NotReadyRequest { AgentId = "a2", Reason = "" }));
        Assert.That(noReason!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
    }

    [Test]
    public async Task Hangup_without_a_call_is_refused_with_not_found()
    {
        var reply = await CtiRefusal.Of(_cti.HangupAsync(new CallControlRequest { AgentId = "a2" }));
        Assert.That(reply, Is.EqualTo((StatusCode.NotFound, "The agent has no such call.")));
    }

    [Test]
    public async Task Ending_a_silent_call_without_a_call_is_refused_with_not_found()
    {
        var reply = await CtiRefusal.Of(_cti.EndSilentCallAsync(new CallControlRequest { AgentId = "a2", CallId = "no-such-call" }));
        Assert.That(reply, Is.EqualTo((StatusCode.NotFound, "The agent has no such inbound call.")));
    }

    [Test]
    public async Task Monitor_with_an_unspecified_mode_is_an_invalid_argument()
    {
        var reply = await CtiRefusal.Of(_cti.MonitorAsync(new MonitorRequest { CallId = "no-such-call", SupervisorUser = "3001" }));
        Assert.That(reply.Code, Is.EqualTo(StatusCode.InvalidArgument), reply.Detail);
    }

    [Test]
    public async Task Watch_stats_streams_the_queues_and_agents_and_api_stats_serves_the_same_as_json()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var stream = _cti.WatchStats(new WatchStatsRequest(), cancellationToken: cts.Token);
        Assert.That(await stream.ResponseStream.MoveNext(cts.Token), Is.True);
        var snapshot = stream.ResponseStream.Current;
        Assert.That(snapshot.Queues.Select(q => q.Queue), Does.Contain("general"));
        Assert.That(snapshot.Queues.Single(q => q.Queue == "general").ServiceLevelMs, Is.EqualTo(15000));
        Assert.That(snapshot.Agents.Single(a => a.AgentId == "a2").Status, Is.EqualTo(AgentStatus.Ready), "a2 is AutoReady");

        using var http = new HttpClient(_host.Credentials());
        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri(_host.HttpUrl, "/api/stats")));
        var root = json.RootElement;
        Assert.That(root.GetProperty("redis").GetString(), Is.EqualTo("ok"));
        Assert.That(root.GetProperty("queues")[0].GetProperty("queue").GetString(), Is.EqualTo("general"));
        Assert.That(root.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("agentId").GetString()), Is.EquivalentTo(new[] { "a1", "a2" }));
    }

    [Test]
    public async Task Watch_agent_sends_the_current_state_then_each_change()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _cti.SignInAsync(new SignInRequest { AgentId = "a1", Ready = true }, cancellationToken: cts.Token).ResponseAsync.ContinueWith(_ => { }, TaskScheduler.Default);
        using var stream = _cti.WatchAgent(new AgentRequest { AgentId = "a1" }, cancellationToken: cts.Token);
        Assert.That(await stream.ResponseStream.MoveNext(cts.Token), Is.True);
        var first = stream.ResponseStream.Current.State.Status;
        var target = first == AgentStatus.NotReady ? (await _cti.SetReadyAsync(new AgentRequest { AgentId = "a1" })).Status
            : (await _cti.SetNotReadyAsync(new NotReadyRequest { AgentId = "a1", Reason = "meeting" })).Status;
        Assert.That(await stream.ResponseStream.MoveNext(cts.Token), Is.True);
        var change = stream.ResponseStream.Current.State;
        Assert.That((change.PreviousStatus, change.Status), Is.EqualTo((first, target)));
        Assert.That(change.Sequence, Is.GreaterThan(0UL));
    }
}
