using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.AfterCall;

/// <summary>
/// Issue 10 across the real processes (no SIP peer needed): TicketApi lists an abandoned call, asks the real AcdEngine
/// to return it (CTI Dial with the order's number), and records the engine's outbound call on that order.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class AfterCallHostTests
{
    private const string AdminKey = "e2e-admin-key-0123456789";
    private HostProcess _engine = null!;
    private HostProcess _tickets = null!;
    private Uri _ticketsGrpc = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var ticketsGrpcPort = FreePort.Next();
        _ticketsGrpc = new Uri($"http://127.0.0.1:{ticketsGrpcPort}");
        _engine = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500",
            ["TicketApi:Url"] = _ticketsGrpc.ToString(),
            ["Outbound:Gateway"] = $"sip:127.0.0.1:{FreePort.Next()}",
            ["Agents:0:AutoReady"] = "false",
            ["Agents:1:AutoReady"] = "true",
        });
        _tickets = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string>
        {
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["Kestrel:Endpoints:Grpc:Url"] = _ticketsGrpc.ToString(),
            ["AcdEngine:Url"] = _engine.GrpcUrl.ToString(),
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _tickets.DisposeAsync();
        await _engine.DisposeAsync();
    }

    [Test]
    public async Task Dial_requests_outside_the_dial_plan_or_for_an_agent_who_is_not_ready_are_refused_clearly()
    {
        using var channel = GrpcChannel.ForAddress(_engine.GrpcUrl, new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = _engine.Credentials() });
        var cti = new Cti.CtiClient(channel);
        var before = await cti.GetAgentStateAsync(new AgentRequest { AgentId = "a2" });
        using var http = new HttpClient(_engine.Credentials()) { BaseAddress = _engine.HttpUrl };
        var badNumber = await http.PostAsJsonAsync("/api/dial", new { agentId = "a2", number = "110" });
        var unknown = await http.PostAsJsonAsync("/api/dial", new { agentId = "zz", number = "13900139000" });
        var notReady = await http.PostAsJsonAsync("/api/dial", new { agentId = "a1", number = "13900139000" });
        Assert.Multiple(async () =>
        {
            Assert.That(badNumber.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await badNumber.Content.ReadAsStringAsync(), Does.Contain("dial plan"));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(notReady.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        });
        var reply = await CtiRefusal.Of(cti.DialAsync(new DialRequest { AgentId = "a2", Number = "1900 123" }));
        Assert.That(reply, Is.EqualTo((StatusCode.InvalidArgument, "The dial plan does not allow calling this number.")));
        var survey = await CtiRefusal.Of(cti.TransferToSurveyAsync(new CallControlRequest { AgentId = "a2" }));
        Assert.That(survey, Is.EqualTo((StatusCode.NotFound, "The agent has no such call.")));
        var state = await cti.GetAgentStateAsync(new AgentRequest { AgentId = "a2" });
        Assert.That((state.Status, state.Since), Is.EqualTo((before.Status, before.Since)), "a refused request changes nothing");
    }

    [Test]
    public async Task An_abandoned_call_is_listed_returned_through_the_engine_and_the_attempt_is_recorded_on_its_order()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var channel = GrpcChannel.ForAddress(_ticketsGrpc, new GrpcChannelOptions { HttpHandler = TestCredentials.Bearer(TestCredentials.NodeKey(TestCredentials.TestNodeId)) });
        var ingest = new CallEventIngest.CallEventIngestClient(channel);
        var at = DateTime.UtcNow.AddMinutes(-5);
        using (var stream = ingest.Publish(cancellationToken: cts.Token))
        {
            var seq = 0UL;
            foreach (var fill in new Action<CallEvent>[]
            {
                e => e.Offered = new CallOffered { CallerNumber = "13800001111", DialedNumber = "12345", Direction = CallDirection.Inbound },
                e => e.Queued = new CallQueued { Queue = "general", Position = 1, ServiceLevelMs = 15000 },
                e => e.Abandoned = new CallAbandoned { Queue = "general", WaitMs = 42000, Where = AbandonPoint.Queue },
                e => e.Ended = new CallEnded { HangupBy = HangupBy.Caller, Direction = CallDirection.Inbound, Reason = "abandoned" },
            })
            {
                var e = new CallEvent { EventId = Guid.NewGuid().ToString(), CallId = "gave-up-1", Sequence = ++seq, NodeId = "acd-e2e", OccurredAt = Timestamp.FromDateTime(at.AddSeconds(seq)) };
                fill(e);
                await stream.RequestStream.WriteAsync(new IngestEnvelope { Call = e }, cts.Token);
            }
            await stream.RequestStream.CompleteAsync();
            var acks = 0;
            while (await stream.ResponseStream.MoveNext(cts.Token)) acks++;
            Assert.That(acks, Is.EqualTo(4));
        }

        using var http = new HttpClient { BaseAddress = _tickets.HttpUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var toCallBack = await http.GetFromJsonAsync<JsonElement>("/api/abandoned?toCallBack=true", cts.Token);
        var item = toCallBack.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("callId").GetString() == "gave-up-1");
        Assert.That(item.GetProperty("waitMs").GetInt32(), Is.EqualTo(42000));
        var orderId = item.GetProperty("workOrderId").GetInt64();

        var returned = await http.PostAsJsonAsync("/api/abandoned/gave-up-1/return", new { agentId = "a2" }, cts.Token);
        Assert.That(returned.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await returned.Content.ReadAsStringAsync(cts.Token));
        var outboundCallId = (await returned.Content.ReadFromJsonAsync<JsonElement>(cts.Token)).GetProperty("callId").GetString();

        // The engine publishes the outbound call (Offered with the order's number … Ended) to TicketApi's ingest;
        // the order gets an audit entry naming that call. Across processes the REST API is polled.
        JsonElement order;
        do
        {
            order = await http.GetFromJsonAsync<JsonElement>($"/api/workorders/{orderId}", cts.Token);
        }
        while (!order.GetProperty("audit").EnumerateArray().Any(a => a.GetProperty("detail").GetString()!.Contains(outboundCallId!, StringComparison.Ordinal))
            && await Tick(cts.Token));
        var audit = order.GetProperty("audit").EnumerateArray().Last();
        Assert.That((audit.GetProperty("action").GetString(), audit.GetProperty("actorId").GetString()), Is.EqualTo(("callback-call", "a2")));
        var call = await http.GetFromJsonAsync<JsonElement>($"/api/calls/{outboundCallId}", cts.Token);
        Assert.That(call.GetProperty("call").GetProperty("forWorkOrderId").GetString(), Is.EqualTo($"WO{orderId:D8}"));
        var after = await http.GetFromJsonAsync<JsonElement>("/api/abandoned?toCallBack=true", cts.Token);
        var still = after.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("callId").GetString() == "gave-up-1");
        Assert.That(still.GetProperty("callbackAttempts").GetInt32(), Is.EqualTo(1), "an unanswered attempt does not return the call");
    }

    private static async Task<bool> Tick(CancellationToken ct)
    {
        await Task.Delay(100, ct); // A poll's pace: the hosts' state has no event a test can await.
        return true;
    }
}
