using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Microsoft.Extensions.Options;
using Hotline.TicketApi.Engine;

namespace Hotline.TicketApi.WebConsole;

/// <summary>
/// Subscribes to AcdEngine's <c>Cti.WatchStats</c> stream (cti.proto) and hands every snapshot to <see cref="LiveFigures"/>.
/// When the engine is away it publishes "away" (the wallboard says so and keeps the last figures) and retries
/// with a backoff of 1 s doubling to <see cref="AcdEngineOptions.ReconnectMaxSeconds"/>.
/// </summary>
public sealed partial class LiveFiguresFeed(
    LiveFigures figures, IOptions<AcdEngineOptions> options, IOptions<Hotline.Tls.TlsOptions> tls, TimeProvider time,
    ILogger<LiveFiguresFeed> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var url = options.Value.Url;
        if (string.IsNullOrEmpty(url))
        {
            figures.Publish(LiveMessage.Away(null, "no AcdEngine:Url configured"));
            return;
        }
        using var channel = Hotline.Tls.HostTls.CreateChannel(url, tls.Value, "AcdEngine CTI", logger);
        var client = new Cti.CtiClient(Security.EngineCredentials.Authorised(channel, options.Value.ServiceKey));
        StatsSnapshot? last = null;
        var backoff = TimeSpan.FromSeconds(1);
        var wasUp = true;
        var connected = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var call = client.WatchStats(new WatchStatsRequest(), cancellationToken: stoppingToken);
                await foreach (var snapshot in call.ResponseStream.ReadAllAsync(stoppingToken))
                {
                    if (!wasUp) LogEngineBack(url);
                    else if (!connected) LogEngineConnected(url);
                    connected = true;
                    wasUp = true;
                    backoff = TimeSpan.FromSeconds(1);
                    last = snapshot;
                    figures.Publish(LiveMessage.Up(snapshot));
                }
                figures.Publish(LiveMessage.Away(last, "stream ended"));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException ex)
            {
                if (wasUp) LogEngineAway(url, ex.StatusCode);
                wasUp = false;
                figures.Publish(LiveMessage.Away(last, "AcdEngine unreachable"));
            }
            try
            {
                await Task.Delay(backoff, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromSeconds(Math.Min(backoff.TotalSeconds * 2, options.Value.ReconnectMaxSeconds));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "AcdEngine live figures unavailable at {Url} ({Status}); wallboard shows the engine as away, retrying")]
    private partial void LogEngineAway(string url, StatusCode status);

    [LoggerMessage(Level = LogLevel.Information, Message = "AcdEngine live figures connected at {Url}")]
    private partial void LogEngineConnected(string url);

    [LoggerMessage(Level = LogLevel.Information, Message = "AcdEngine live figures back at {Url}")]
    private partial void LogEngineBack(string url);
}
