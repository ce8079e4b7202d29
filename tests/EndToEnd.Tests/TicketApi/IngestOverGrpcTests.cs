using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.TicketApi;

/// <summary>The real TicketApi process ingests over real gRPC: acks after commit, duplicates and reordering change nothing.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class IngestOverGrpcTests
{
    private const string AdminKey = "e2e-admin-key-0123456789";

    [Test]
    public async Task Shuffled_and_redelivered_events_give_each_call_and_order_exactly_once()
    {
        await using var host = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string> { ["Auth:BootstrapAdminKey"] = AdminKey });
        using var channel = GrpcChannel.ForAddress(host.GrpcUrl, new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = host.Credentials() });
        var client = new CallEventIngest.CallEventIngestClient(channel);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var start = new DateTime(2026, 11, 24, 2, 0, 0, DateTimeKind.Utc);
        var events = Enumerable.Range(0, 200).SelectMany(i => TicketEvents.AnsweredCall($"call-{i}", $"a{i % 7}", start.AddSeconds(i))).ToList();
        var shuffled = events.OrderBy(_ => Random.Shared.Next()).ToList();
        var malformed = new IngestEnvelope { Call = new CallEvent { EventId = "bad-1", CallId = "call-x", Sequence = 1 } };

        // First delivery: shuffled, half of it twice, plus one malformed event.
        var first = await TicketEvents.PublishAsync(client, shuffled.Concat(shuffled.Take(500)).Append(malformed), cts.Token);
        // The sender "lost" the acks and resends everything on a new stream.
        var second = await TicketEvents.PublishAsync(client, events, cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(first, Has.Count.EqualTo(1501), "one ack per event sent");
            Assert.That(first.Where(a => a.EventId != "bad-1").All(a => a.Accepted), Is.True);
            Assert.That(first.Single(a => a.EventId == "bad-1").Error, Does.Contain("occurred_at"));
            Assert.That(second.Select(a => a.EventId), Is.EquivalentTo(events.Select(e => e.Call.EventId)));
            Assert.That(second.All(a => a.Accepted), Is.True);
        });

        using var http = new HttpClient { BaseAddress = host.HttpUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var calls = await http.GetFromJsonAsync<JsonElement>("/api/calls?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&pageSize=10", cts.Token);
        var orders = await http.GetFromJsonAsync<JsonElement>("/api/workorders?pageSize=1", cts.Token);
        var metrics = await http.GetFromJsonAsync<JsonElement>("/api/metrics?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z", cts.Token);
        var timeline = await http.GetFromJsonAsync<JsonElement>("/api/calls/call-3", cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(calls.GetProperty("total").GetInt32(), Is.EqualTo(200));
            Assert.That(calls.GetProperty("items")[0].GetProperty("direction").ValueKind, Is.EqualTo(JsonValueKind.String), "enums as names, like orders");
            Assert.That(orders.GetProperty("total").GetInt32(), Is.EqualTo(200));
            Assert.That(metrics.GetProperty("total").GetProperty("offered").GetInt64(), Is.EqualTo(200));
            Assert.That(metrics.GetProperty("total").GetProperty("answered").GetInt64(), Is.EqualTo(200));
            Assert.That(timeline.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }));
            Assert.That(timeline.GetProperty("call").GetProperty("agentId").GetString(), Is.EqualTo("a3"));
        });
    }
}
