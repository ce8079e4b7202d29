using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.EndToEnd.Tests.TicketApi;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Security;

/// <summary>
/// Issue 14: forged call events (no key, a wrong key, a real node's key claiming another node) are refused by the real
/// TicketApi's ingest and no call, order or figure appears; the genuine node's events still land.
/// </summary>
[TestFixture]
public sealed class IngestTrustTests
{
    private const string AdminKey = "e2e-ingest-trust-admin-0123456789";
    private HostProcess _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _host = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string> { ["Auth:BootstrapAdminKey"] = AdminKey });

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private static IEnumerable<TestCaseData> Forgeries()
    {
        yield return new TestCaseData(null, TestCredentials.TestNodeId, StatusCode.Unauthenticated).SetName("Ingest_without_a_key_is_refused");
        yield return new TestCaseData("a-guessed-node-key-0123456789", TestCredentials.TestNodeId, StatusCode.Unauthenticated).SetName("Ingest_with_a_wrong_key_is_refused");
        yield return new TestCaseData(TestCredentials.NodeKey(TestCredentials.TestNodeId), "acd-1", StatusCode.PermissionDenied)
            .SetName("Ingest_with_one_nodes_key_for_another_nodes_events_is_refused");
    }

    [TestCaseSource(nameof(Forgeries))]
    public async Task Forged_events_are_refused_and_change_no_figure(string? key, string nodeId, StatusCode expected)
    {
        var callId = "forged-" + Guid.NewGuid().ToString("N");
        var events = TicketEvents.AnsweredCall(callId, "a1", DateTime.UtcNow.AddMinutes(-5));
        foreach (var e in events) e.Call.NodeId = nodeId;
        using var channel = key is null
            ? GrpcChannel.ForAddress(_host.GrpcUrl)
            : GrpcChannel.ForAddress(_host.GrpcUrl, new GrpcChannelOptions { HttpHandler = TestCredentials.Bearer(key) });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var refused = Assert.ThrowsAsync<RpcException>(() => TicketEvents.PublishAsync(new CallEventIngest.CallEventIngestClient(channel), events, cts.Token));
        Assert.That(refused!.StatusCode, Is.EqualTo(expected));

        // Nothing was committed: the call is unknown, and a genuine event published after it lands (so "unknown" is not lag).
        var genuineId = "genuine-" + Guid.NewGuid().ToString("N");
        using (var node = GrpcChannel.ForAddress(_host.GrpcUrl, new GrpcChannelOptions { HttpHandler = _host.Credentials() }))
        {
            var acks = await TicketEvents.PublishAsync(new CallEventIngest.CallEventIngestClient(node),
                TicketEvents.AnsweredCall(genuineId, "a1", DateTime.UtcNow.AddMinutes(-4)), cts.Token);
            Assert.That(acks.All(a => a.Accepted), Is.True, "the node's own events with its own key land");
        }
        using var http = new HttpClient { BaseAddress = _host.HttpUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        using var genuine = await http.GetAsync($"/api/calls/{genuineId}", cts.Token);
        using var forged = await http.GetAsync($"/api/calls/{callId}", cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(genuine.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "no forged call, so no offered/answered/satisfaction figure from it");
        });
        if (expected == StatusCode.PermissionDenied)
            Assert.That(_host.Process.Output, Does.Contain("Ingest refused: node acd-e2e sent an event of node 'acd-1'"), "the forgery is logged");
    }
}
