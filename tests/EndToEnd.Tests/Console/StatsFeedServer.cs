using System.Threading.Channels;
using Grpc.Core;
using Hotline.Contracts.V1;
using Hotline.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hotline.EndToEnd.Tests.Console;

/// <summary>
/// A stand-in for AcdEngine's CTI endpoint that serves only <c>WatchStats</c> (cti.proto) over real HTTP/2 on loopback:
/// the test pushes the snapshots a queued and then answered call produce, TicketApi (a real process) subscribes to it
/// exactly as to the engine, and the browser must show each one by push.
/// </summary>
internal sealed class StatsFeedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Feed _feed;

    private StatsFeedServer(WebApplication app, Feed feed, Uri url)
    {
        _app = app;
        _feed = feed;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>How many WatchStats streams are open (TicketApi's subscription).</summary>
    public int Watchers => _feed.Watchers;

    public static async Task<StatsFeedServer> StartAsync()
    {
        var port = FreePort.Next();
        var feed = new Feed();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(feed);
        var app = builder.Build();
        app.MapGrpcService<FakeCti>();
        await app.StartAsync();
        return new StatsFeedServer(app, feed, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>Sends a snapshot to every open WatchStats stream (and to the next one that opens).</summary>
    public void Push(StatsSnapshot snapshot) => _feed.Push(snapshot);

    /// <summary>Completes when TicketApi has opened its WatchStats stream.</summary>
    public Task Subscribed => _feed.FirstWatcher.Task;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed class Feed
    {
        private readonly Lock _gate = new();
        private readonly List<Channel<StatsSnapshot>> _streams = [];
        private StatsSnapshot? _latest;

        public TaskCompletionSource FirstWatcher { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Watchers
        {
            get { lock (_gate) return _streams.Count; }
        }

        public void Push(StatsSnapshot s)
        {
            lock (_gate)
            {
                _latest = s;
                foreach (var c in _streams) c.Writer.TryWrite(s);
            }
        }

        public Channel<StatsSnapshot> Open()
        {
            var c = Channel.CreateUnbounded<StatsSnapshot>();
            lock (_gate)
            {
                if (_latest is not null) c.Writer.TryWrite(_latest);
                _streams.Add(c);
            }
            FirstWatcher.TrySetResult();
            return c;
        }

        public void Close(Channel<StatsSnapshot> c)
        {
            lock (_gate) _streams.Remove(c);
        }
    }

    private sealed class FakeCti(Feed feed) : Cti.CtiBase
    {
        public override async Task WatchStats(WatchStatsRequest request, IServerStreamWriter<StatsSnapshot> responseStream, ServerCallContext context)
        {
            var channel = feed.Open();
            try
            {
                await foreach (var s in channel.Reader.ReadAllAsync(context.CancellationToken)) await responseStream.WriteAsync(s);
            }
            catch (OperationCanceledException)
            {
                // TicketApi went away.
            }
            finally
            {
                feed.Close(channel);
            }
        }
    }
}
