using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Grpc.Core;
using Hotline.Contracts.V1;
using Hotline.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hotline.EndToEnd.Tests.Console;

/// <summary>
/// Issue 17's figure "screen pop within 300 ms", p95 over 50 pops: from the instant the engine's <c>WatchAgent</c> stream
/// sends the pop (a stand-in CTI endpoint over real HTTP/2 on loopback, so the instant is known) through the real
/// TicketApi process (its agent feed, the server-sent event) to the desk in Chromium showing it (<c>window.__pops</c>,
/// stamped by desk.js when it renders the pop). Same machine clock at both ends. The engine's own part (INVITE sent →
/// notification written) is not in this figure; DeskTests prints it for single real calls.
/// </summary>
[TestFixture]
[Category("Timing")]
[NonParallelizable]
public sealed class ScreenPopTimingTests
{
    private const string AdminKey = "e2e-screen-pop-admin-key-0123";
    private const int Pops = 50;

    [Test]
    public async Task The_desk_shows_50_screen_pops_with_a_p95_under_300_ms_after_the_engine_sends_them()
    {
        await using var engine = await AgentFeedServer.StartAsync();
        await using var host = await HostProcess.StartHealthyAsync("TicketApi", new Dictionary<string, string>
        {
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["AcdEngine:Url"] = engine.Url.ToString(),
            ["Serilog:MinimumLevel:Default"] = "Warning",
        }, TimeSpan.FromMinutes(3));
        using var admin = new HttpClient { BaseAddress = host.HttpUrl };
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        using var created = await admin.PostAsJsonAsync("/api/keys", new { name = "pop-agent", role = "agent", agentId = "a1" });
        var agentKey = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var context = await browser.NewContextAsync();
        await context.AddInitScriptAsync($"sessionStorage.setItem('hotline-key', '{agentKey}')");
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(new Uri(host.HttpUrl, "/desk").ToString(), new() { Timeout = 30_000 });
        await Expect(page.Locator("#engine")).ToHaveTextAsync("live", new() { Timeout = 30_000 });

        var latencies = new List<double>();
        for (var i = 0; i < Pops; i++)
        {
            var callId = $"pop-{i}-{Guid.NewGuid():N}";
            var sentAt = engine.Pop(new ScreenPop
            {
                CallId = callId, CallerNumber = "1380013" + (8000 + i), Queue = "general", IvrDigits = "1", Nature = "complaint",
                WaitMs = 4000, Direction = CallDirection.Inbound,
            });
            var shownAt = await page.WaitForFunctionAsync(
                "id => (window.__pops || []).find(p => p.callId === id)?.shownAt", callId, new() { Timeout = 10_000, PollingInterval = 5 });
            latencies.Add((await shownAt.JsonValueAsync<double>()) - sentAt);
        }
        latencies.Sort();
        double P(double q) => latencies[(int)Math.Ceiling(q * latencies.Count) - 1];
        TestContext.Out.WriteLine($"screen pop, engine stream → desk shown, {Pops} pops: p50 {P(0.50):F0} ms, p95 {P(0.95):F0} ms, max {latencies[^1]:F0} ms; " +
            $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        TestContext.Out.WriteLine("all (ms): " + string.Join(", ", latencies.Select(l => l.ToString("F0"))));
        Assert.That(P(0.95), Is.LessThan(300), "issue 17: every push within 300 ms (p95)");
        await context.CloseAsync();
    }

    /// <summary>A stand-in for AcdEngine's CTI that serves only <c>WatchAgent</c>: a state first, then the pops the test sends.</summary>
    private sealed class AgentFeedServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly Streams _streams;

        private AgentFeedServer(WebApplication app, Streams streams, Uri url)
        {
            _app = app;
            _streams = streams;
            Url = url;
        }

        public Uri Url { get; }

        public static async Task<AgentFeedServer> StartAsync()
        {
            var port = FreePort.Next();
            var streams = new Streams();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(streams);
            var app = builder.Build();
            app.MapGrpcService<AgentCti>();
            await app.StartAsync();
            return new AgentFeedServer(app, streams, new Uri($"http://127.0.0.1:{port}"));
        }

        /// <summary>Sends a pop to every open WatchAgent stream; returns the instant it was handed to the stream (Unix ms).</summary>
        public double Pop(ScreenPop pop) => _streams.Send(new AgentNotification { ScreenPop = pop });

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        internal sealed class Streams
        {
            private readonly Lock _gate = new();
            private readonly List<Channel<AgentNotification>> _open = [];

            public double Send(AgentNotification n)
            {
                lock (_gate)
                {
                    foreach (var c in _open) c.Writer.TryWrite(n);
                    return DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                }
            }

            public Channel<AgentNotification> Open()
            {
                var c = Channel.CreateUnbounded<AgentNotification>();
                c.Writer.TryWrite(new AgentNotification
                {
                    State = new AgentEvent { AgentId = "a1", Status = AgentStatus.Ready, EventId = Guid.NewGuid().ToString(), OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow) },
                    AgentName = "Agent One",
                });
                lock (_gate) _open.Add(c);
                return c;
            }

            public void Close(Channel<AgentNotification> c)
            {
                lock (_gate) _open.Remove(c);
            }
        }

        private sealed class AgentCti(Streams streams) : Cti.CtiBase
        {
            public override async Task WatchAgent(AgentRequest request, IServerStreamWriter<AgentNotification> responseStream, ServerCallContext context)
            {
                var channel = streams.Open();
                try
                {
                    await foreach (var n in channel.Reader.ReadAllAsync(context.CancellationToken)) await responseStream.WriteAsync(n);
                }
                catch (OperationCanceledException)
                {
                    // TicketApi went away.
                }
                finally
                {
                    streams.Close(channel);
                }
            }
        }
    }
}
