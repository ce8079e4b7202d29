using System.Net;
using System.Net.Http.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Security;

/// <summary>
/// Issue 14, as an attacker on loopback would try it against the real AcdEngine process with the real gRPC client and
/// raw HTTP: nobody signs agents out, dials out or listens in without a credential, an agent steers only itself, and
/// Monitor rings only a configured supervisor account (COMMON identity model).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class EngineApiTrustTests
{
    private RedisServer _redis = null!;
    private HostProcess _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _redis = await RedisServer.StartAsync();
        _host = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = _redis.ConnectionString,
            ["TicketApi:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            // A gateway nobody answers at: a dial the plan lets through rings agent a2 first, never the number.
            ["Outbound:Gateway"] = $"sip:127.0.0.1:{FreePort.Next()}",
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _host.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private GrpcChannel Channel(string? key, string? actAs = null) => key is null
        ? GrpcChannel.ForAddress(_host.GrpcUrl)
        : GrpcChannel.ForAddress(_host.GrpcUrl, new GrpcChannelOptions { HttpHandler = TestCredentials.Bearer(key, actAs) });

    private static async Task<StatusCode> StatusOf(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    [TestCase(null)]
    [TestCase("a-key-nobody-configured-0123456789")]
    public async Task Cti_without_a_valid_key_is_refused_and_changes_nothing(string? key)
    {
        using var stranger = Channel(key);
        var cti = new Cti.CtiClient(stranger);
        Assert.Multiple(async () =>
        {
            Assert.That(await StatusOf(() => cti.SetNotReadyAsync(new NotReadyRequest { AgentId = "a1", Reason = "pwned" }).ResponseAsync), Is.EqualTo(StatusCode.Unauthenticated));
            Assert.That(await StatusOf(() => cti.SignOutAsync(new AgentRequest { AgentId = "a2" }).ResponseAsync), Is.EqualTo(StatusCode.Unauthenticated));
            Assert.That(await StatusOf(() => cti.DialAsync(new DialRequest { AgentId = "a2", Number = "13800138000" }).ResponseAsync), Is.EqualTo(StatusCode.Unauthenticated));
            Assert.That(await StatusOf(() => cti.MonitorAsync(new MonitorRequest { CallId = "any", SupervisorUser = "sip:eve@127.0.0.1:5999", Mode = MonitorMode.Listen }).ResponseAsync),
                Is.EqualTo(StatusCode.Unauthenticated));
            Assert.That(await StatusOf(() => cti.HangupAsync(new CallControlRequest { AgentId = "a1" }).ResponseAsync), Is.EqualTo(StatusCode.Unauthenticated));
        });
        using var admin = Channel(TestCredentials.EngineAdminKey);
        var state = await new Cti.CtiClient(admin).GetAgentStateAsync(new AgentRequest { AgentId = "a1" });
        Assert.That(state.Reason, Is.Not.EqualTo("pwned"), "the refused request changed nothing");
    }

    [TestCase("/api/stats", "GET")]
    [TestCase("/api/sip/registrations", "GET")]
    [TestCase("/api/sip/stats", "GET")]
    [TestCase("/api/dial", "POST")]
    [TestCase("/api/calls/active", "GET")]
    [TestCase("/api/calls/c-1/hangup", "POST")]
    [TestCase("/api/config/reload", "POST")]
    public async Task Http_api_without_a_valid_key_answers_401(string path, string method)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(_host.HttpUrl, path));
        if (method == "POST") request.Content = JsonContent.Create(new { agentId = "a2", number = "13800138000" });
        using var anonymous = await http.SendAsync(request);
        using var wrong = new HttpRequestMessage(new HttpMethod(method), new Uri(_host.HttpUrl, path));
        wrong.Headers.Authorization = new("Bearer", "guess-0123456789");
        using var guessed = await http.SendAsync(wrong);
        using var health = await http.GetAsync(new Uri(_host.HttpUrl, "/healthz"));
        Assert.Multiple(() =>
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(anonymous.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
            Assert.That(guessed.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "/healthz stays open for probes");
        });
    }

    [Test]
    public async Task An_agent_key_steers_only_its_own_agent()
    {
        using var a1 = Channel(TestCredentials.AgentA1Key);
        var cti = new Cti.CtiClient(a1);
        Assert.Multiple(async () =>
        {
            Assert.That(await StatusOf(() => cti.SetNotReadyAsync(new NotReadyRequest { AgentId = "a2", Reason = "break" }).ResponseAsync), Is.EqualTo(StatusCode.PermissionDenied));
            Assert.That(await StatusOf(() => cti.DialAsync(new DialRequest { AgentId = "a2", Number = "13800138000" }).ResponseAsync), Is.EqualTo(StatusCode.PermissionDenied));
            Assert.That(await StatusOf(() => cti.HangupAsync(new CallControlRequest { AgentId = "a2" }).ResponseAsync), Is.EqualTo(StatusCode.PermissionDenied));
            Assert.That(await StatusOf(() => cti.MonitorAsync(new MonitorRequest { CallId = "c", SupervisorUser = TestCredentials.SupervisorSipUser, Mode = MonitorMode.Listen }).ResponseAsync),
                Is.EqualTo(StatusCode.PermissionDenied), "agents do not monitor");
            Assert.That(await StatusOf(() => cti.WatchStats(new WatchStatsRequest()).ResponseStream.MoveNext()), Is.EqualTo(StatusCode.PermissionDenied));
            Assert.That(await StatusOf(() => cti.GetAgentStateAsync(new AgentRequest { AgentId = "a1" }).ResponseAsync), Is.EqualTo(StatusCode.OK), "its own agent");
        });
        // The HTTP mirror of Dial applies the same rule.
        using var http = new HttpClient(TestCredentials.Bearer(TestCredentials.AgentA1Key)) { BaseAddress = _host.HttpUrl };
        using var dial = await http.PostAsJsonAsync("/api/dial", new { agentId = "a2", number = "13800138000" });
        using var sip = await http.GetAsync("/api/sip/registrations");
        Assert.Multiple(() =>
        {
            Assert.That(dial.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(sip.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "registrations (source addresses) are for supervisors");
        });
    }

    [Test]
    public async Task Only_a_service_key_may_act_for_a_user_and_then_only_as_that_user()
    {
        using var asA1 = Channel(TestCredentials.ServiceKey, "agent:a1");
        var service = new Cti.CtiClient(asA1);
        var own = await service.SetNotReadyAsync(new NotReadyRequest { AgentId = "a1", Reason = "training" });
        using var bare = Channel(TestCredentials.ServiceKey);
        using var adminActing = Channel(TestCredentials.EngineAdminKey, "agent:a1");
        using var malformed = Channel(TestCredentials.ServiceKey, "root");
        Assert.Multiple(async () =>
        {
            Assert.That(own.Reason, Is.EqualTo("training"), "the service acting as agent a1 sets a1's state");
            Assert.That(await StatusOf(() => service.SetNotReadyAsync(new NotReadyRequest { AgentId = "a2", Reason = "x" }).ResponseAsync), Is.EqualTo(StatusCode.PermissionDenied),
                "acting as a1, it is a1");
            Assert.That(await StatusOf(() => new Cti.CtiClient(bare).SetNotReadyAsync(new NotReadyRequest { AgentId = "a1", Reason = "x" }).ResponseAsync), Is.EqualTo(StatusCode.PermissionDenied),
                "alone, the service key only reads");
            Assert.That(await StatusOf(() => new Cti.CtiClient(bare).GetAgentStateAsync(new AgentRequest { AgentId = "a2" }).ResponseAsync), Is.EqualTo(StatusCode.OK));
            Assert.That(await StatusOf(() => new Cti.CtiClient(adminActing).GetAgentStateAsync(new AgentRequest { AgentId = "a1" }).ResponseAsync), Is.EqualTo(StatusCode.PermissionDenied),
                "only Service keys may send x-hotline-act-as");
            Assert.That(await StatusOf(() => new Cti.CtiClient(malformed).GetAgentStateAsync(new AgentRequest { AgentId = "a1" }).ResponseAsync), Is.EqualTo(StatusCode.Unauthenticated));
        });
    }

    [Test]
    public async Task Monitor_rings_only_a_configured_supervisor_account_never_a_uri()
    {
        using var admin = Channel(TestCredentials.EngineAdminKey);
        using var supervisor = Channel(TestCredentials.SupervisorKey);
        var asAdmin = new Cti.CtiClient(admin);
        var asSupervisor = new Cti.CtiClient(supervisor);
        var eve = new MonitorRequest { CallId = "no-such-call", SupervisorUser = "sip:eve@127.0.0.1:5999", Mode = MonitorMode.Listen };
        Assert.Multiple(async () =>
        {
            Assert.That(await StatusOf(() => asAdmin.MonitorAsync(eve).ResponseAsync), Is.EqualTo(StatusCode.InvalidArgument));
            Assert.That(await StatusOf(() => asAdmin.MonitorAsync(new MonitorRequest { CallId = "c", SupervisorUser = "1001", Mode = MonitorMode.Listen }).ResponseAsync),
                Is.EqualTo(StatusCode.InvalidArgument), "an agent's phone is no supervisor account");
            Assert.That(await StatusOf(() => asSupervisor.MonitorAsync(eve).ResponseAsync), Is.EqualTo(StatusCode.PermissionDenied), "a supervisor listens from their own phone");
        });
        // The configured account passes the check and reaches the call lookup.
        var own = await CtiRefusal.Of(asSupervisor.MonitorAsync(new MonitorRequest { CallId = "no-such-call", Mode = MonitorMode.Listen }));
        Assert.That(own, Is.EqualTo((StatusCode.NotFound, "No such call in progress.")));
    }

    [Test]
    public async Task Dial_obeys_the_dial_plan_international_numbers_are_refused()
    {
        using var admin = Channel(TestCredentials.EngineAdminKey);
        var cti = new Cti.CtiClient(admin);
        var international = await CtiRefusal.Of(cti.DialAsync(new DialRequest { AgentId = "a2", Number = "00441234567" }));
        using var http = new HttpClient(_host.Credentials()) { BaseAddress = _host.HttpUrl };
        using var rest = await http.PostAsJsonAsync("/api/dial", new { agentId = "a2", number = "0044 123 4567" });
        Assert.Multiple(async () =>
        {
            Assert.That(international.Code, Is.EqualTo(StatusCode.InvalidArgument), "the same as REST's 400");
            Assert.That(international.Detail, Does.Contain("dial plan"));
            Assert.That(rest.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await rest.Content.ReadAsStringAsync(), Does.Contain("dial plan"));
        });
    }
}
