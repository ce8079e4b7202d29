using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.TicketApi;

/// <summary>
/// Two real TicketApi processes on one real PostgreSQL (scaling.md: several instances behind a balancer share one
/// database). Both start at once (one applies the migrations), then both receive the same events at the same time, in
/// different orders: every event is acknowledged by both, none is refused or doubled, every call and order exists once.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class TwoInstancesOnPostgresTests
{
    private const string AdminKey = "e2e-admin-key-0123456789";

    [Test]
    public async Task The_same_events_sent_to_two_instances_at_once_are_stored_once_without_errors()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await postgres.CreateDatabaseAsync("tickets");
        var settings = new Dictionary<string, string>
        {
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Tickets"] = postgres.ConnectionString("tickets"),
        };
        var starting = new[] { HostProcess.StartHealthyAsync("TicketApi", settings), HostProcess.StartHealthyAsync("TicketApi", settings) };
        await Task.WhenAll(starting.Select(t => (Task)t).ToArray()).ContinueWith(_ => { }, TaskScheduler.Default);
        await using var a = await starting[0];
        await using var b = await starting[1];

        const int Calls = 120; // 600 events: enough for both instances to apply one call's events at once, many times over
        var start = new DateTime(2026, 11, 24, 2, 0, 0, DateTimeKind.Utc);
        var events = Enumerable.Range(0, Calls).SelectMany(i => TicketEvents.AnsweredCall($"call-{i}", $"a{i % 7}", start.AddSeconds(i))).ToList();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var channelA = GrpcChannel.ForAddress(a.GrpcUrl, new GrpcChannelOptions { HttpHandler = a.Credentials() });
        using var channelB = GrpcChannel.ForAddress(b.GrpcUrl, new GrpcChannelOptions { HttpHandler = b.Credentials() });
        var clients = new[] { new CallEventIngest.CallEventIngestClient(channelA), new CallEventIngest.CallEventIngestClient(channelB) };
        // Each instance gets every event, on two streams each, shuffled its own way: events of one call reach both at once.
        var sends = clients.SelectMany(client => Enumerable.Range(0, 2).Select(half =>
        {
            var mine = events.Where((_, i) => i % 2 == half).OrderBy(_ => Random.Shared.Next()).ToList();
            return TicketEvents.PublishAsync(client, mine, cts.Token);
        })).ToArray();
        var acks = await Task.WhenAll(sends);

        using var http = new HttpClient { BaseAddress = a.HttpUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var calls = await http.GetFromJsonAsync<JsonElement>("/api/calls?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&pageSize=1", cts.Token);
        var orders = await http.GetFromJsonAsync<JsonElement>("/api/workorders?pageSize=1", cts.Token);
        var metrics = (await http.GetFromJsonAsync<JsonElement>("/api/metrics?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z", cts.Token)).GetProperty("total");
        var timeline = await http.GetFromJsonAsync<JsonElement>("/api/calls/call-7", cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(acks.Sum(x => x.Count), Is.EqualTo(2 * events.Count), "one ack per event sent, on both instances");
            Assert.That(acks.SelectMany(x => x).Where(x => !x.Accepted).Select(x => x.Error), Is.Empty);
            Assert.That(calls.GetProperty("total").GetInt32(), Is.EqualTo(Calls));
            Assert.That(orders.GetProperty("total").GetInt32(), Is.EqualTo(Calls), "one order per call: no call completed twice");
            Assert.That(metrics.GetProperty("offered").GetInt64(), Is.EqualTo(Calls));
            Assert.That(metrics.GetProperty("answered").GetInt64(), Is.EqualTo(Calls));
            Assert.That(timeline.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }));
            Assert.That(timeline.GetProperty("call").GetProperty("agentId").GetString(), Is.EqualTo("a0"));
            foreach (var host in new[] { a, b })
                Assert.That(host.Process.Output, Does.Not.Contain("nothing committed"), "no batch failed");
        });
        TestContext.Out.WriteLine($"deadlock retries: A {Count(a.Process.Output, "applying it again")}, B {Count(b.Process.Output, "applying it again")}");
    }

    private static int Count(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;
}
