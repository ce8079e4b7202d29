using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Events;

/// <summary>How the publisher retries (<c>TicketApi:*</c> backoff).</summary>
/// <remarks>
/// <paramref name="ConnectRetry"/> caps the wait while TicketApi cannot be reached at all (connection refused): a
/// refused connection costs nothing to retry, and an engine started before TicketApi should deliver within about a
/// second of TicketApi coming up instead of after a grown backoff (issue 20).
/// </remarks>
public sealed record PublisherSettings(TimeSpan InitialBackoff, TimeSpan MaxBackoff, int Window, TimeSpan AckTimeout, TimeSpan ConnectRetry)
{
    public PublisherSettings(TimeSpan initialBackoff, TimeSpan maxBackoff, int window, TimeSpan ackTimeout)
        : this(initialBackoff, maxBackoff, window, ackTimeout, maxBackoff) { }

    public static PublisherSettings Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 512, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
}

/// <summary>
/// Sends the outbox to TicketApi over <c>CallEventIngest.Publish</c> and deletes each event on its ack
/// (ingest.proto: at-least-once). When TicketApi is away it retries with exponential backoff (1 s doubling to 30 s);
/// after a reconnect everything still in the outbox is resent, so an outage or an engine restart loses nothing.
/// The ack timeout runs from the send of the oldest unacked event (a quiet line is not a dead stream), and the backoff
/// starts again from its initial value once a connection has carried an ack.
/// </summary>
public sealed partial class OutboxPublisher(SqliteOutbox outbox, CallEventIngest.CallEventIngestClient client, TimeProvider time,
    PublisherSettings settings, ILogger<OutboxPublisher> logger)
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Consecutive failed connection attempts (0 when connected).</summary>
    public int Failures { get; private set; }

    /// <summary>Raised after a failure, once the retry timer is set, with the backoff chosen.</summary>
    public event Action<TimeSpan>? RetryScheduled;

    /// <summary>Acks received since start.</summary>
    public long Acked => Interlocked.Read(ref _acked);

    private long _acked;

    public async Task RunAsync(CancellationToken stopping)
    {
        outbox.Appended += Wake;
        try
        {
            var backoff = settings.InitialBackoff;
            while (!stopping.IsCancellationRequested)
            {
                var attempt = new Attempt();
                try
                {
                    await PublishOnceAsync(attempt, stopping);
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested && ex is RpcException or IOException or HttpRequestException or TimeoutException)
                {
                    if (attempt.Connected)
                    {
                        // This connection worked: a later break starts the backoff afresh (issue 20).
                        backoff = settings.InitialBackoff;
                        Failures = 0;
                    }
                    Failures++;
                    var refused = !attempt.Connected && ex is RpcException { StatusCode: StatusCode.Unavailable };
                    var delay = refused ? TimeSpan.FromTicks(Math.Min(backoff.Ticks, settings.ConnectRetry.Ticks)) : backoff;
                    // One warning per outage, then one a minute: a TicketApi that is down is not news every second.
                    if (Failures == 1 || time.GetUtcNow() - _lastWarning >= TimeSpan.FromMinutes(1))
                    {
                        _lastWarning = time.GetUtcNow();
                        LogSendFailed(logger, Failures, outbox.PendingCount(), delay.TotalSeconds, ex.Message);
                    }
                    if (stopping.IsCancellationRequested) break; // Stopping: no retry is scheduled.
                    var wait = Task.Delay(delay, time, stopping);
                    RetryScheduled?.Invoke(delay);
                    await wait;
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, settings.MaxBackoff.Ticks));
                    continue;
                }
                backoff = settings.InitialBackoff;
            }
        }
        catch (Exception ex) when (stopping.IsCancellationRequested && ex is OperationCanceledException or RpcException or IOException)
        {
            // Shutdown: what is unsent stays in the outbox for the next start.
        }
        finally
        {
            outbox.Appended -= Wake;
        }
    }

    private int _everConnected;
    private DateTimeOffset _lastWarning = DateTimeOffset.MinValue;

    private void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>One connection attempt: whether it carried an ack.</summary>
    private sealed class Attempt
    {
        public volatile bool Connected;
    }

    private async Task PublishOnceAsync(Attempt attempt, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var call = client.Publish(cancellationToken: linked.Token);
        // Event id → when it was sent: the ack timeout counts from the oldest send still unacked.
        var inFlight = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var acks = Task.Run(async () =>
        {
            await foreach (var ack in call.ResponseStream.ReadAllAsync(linked.Token))
            {
                // Out of flight before out of the outbox: whoever sees the outbox empty must not find the event still
                // "unacked" and take the ack timeout for a dead stream (a quiet line's next wake-up would).
                inFlight.TryRemove(ack.EventId, out _);
                if (ack.Accepted) outbox.Delete(ack.EventId);
                else
                {
                    outbox.DeadLetter(ack.EventId, ack.Error);
                    LogDeadLettered(logger, ack.EventId, ack.Error);
                }
                Interlocked.Increment(ref _acked);
                if (!attempt.Connected)
                {
                    attempt.Connected = true;
                    if (Failures > 0) LogReconnected(logger, Failures);
                    else if (Interlocked.Exchange(ref _everConnected, 1) == 0) LogConnected(logger);
                    Failures = 0;
                }
                Wake();
            }
        }, linked.Token);

        long after = 0;
        while (true)
        {
            if (acks.IsCompleted)
            {
                await acks; // Surfaces the RpcException that ended the stream.
                throw new IOException("TicketApi closed the ingest stream.");
            }
            var room = settings.Window - inFlight.Count;
            var batch = room > 0 ? outbox.ReadPending(after, Math.Min(room, 256)) : [];
            foreach (var e in batch)
            {
                inFlight[e.EventId] = time.GetUtcNow();
                await call.RequestStream.WriteAsync(e.Envelope, linked.Token);
                after = e.RowId;
            }
            if (batch.Count > 0) continue;
            var wait = settings.AckTimeout;
            if (OldestSend(inFlight) is { } oldest)
            {
                var unacked = time.GetUtcNow() - oldest;
                if (unacked >= settings.AckTimeout)
                    throw new TimeoutException($"No ack from TicketApi for {settings.AckTimeout.TotalSeconds:0} s with {inFlight.Count} events in flight.");
                wait = settings.AckTimeout - unacked;
            }
            using var tick = new CancellationTokenSource(wait, time);
            using var waitToken = CancellationTokenSource.CreateLinkedTokenSource(linked.Token, tick.Token);
            try
            {
                await Task.WhenAny(_wake.Reader.WaitToReadAsync(waitToken.Token).AsTask(), acks);
                _wake.Reader.TryRead(out _);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                // Periodic check of the ack timeout.
            }
        }
    }

    private static DateTimeOffset? OldestSend(ConcurrentDictionary<string, DateTimeOffset> inFlight)
    {
        DateTimeOffset? oldest = null;
        foreach (var (_, sent) in inFlight)
            if (oldest is null || sent < oldest) oldest = sent;
        return oldest;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot publish events to TicketApi (attempt {Attempt}, {Pending} events kept in the outbox); retrying in {BackoffSeconds} s: {Error}")]
    private static partial void LogSendFailed(ILogger logger, int attempt, long pending, double backoffSeconds, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Publishing events to TicketApi")]
    private static partial void LogConnected(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Publishing to TicketApi again after {Attempts} failed attempts")]
    private static partial void LogReconnected(ILogger logger, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "TicketApi rejected event {EventId}; moved to the dead-letter table: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string eventId, string error);
}

/// <summary>The gRPC channel to TicketApi's ingest.</summary>
public static class IngestChannel
{
    /// <remarks>
    /// grpc-dotnet backs off reconnecting a refused connection on its own (1 s growing by 1.6 to 120 s by default) and
    /// fails calls at once while it waits: capped at 1 s, so a TicketApi that comes up is reached within a second.
    /// </remarks>
    public static Grpc.Net.Client.GrpcChannel Create(string url) => Grpc.Net.Client.GrpcChannel.ForAddress(url, new Grpc.Net.Client.GrpcChannelOptions
    {
        InitialReconnectBackoff = TimeSpan.FromMilliseconds(200),
        MaxReconnectBackoff = TimeSpan.FromSeconds(1),
    });
}
