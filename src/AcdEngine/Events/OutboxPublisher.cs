using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Events;

/// <summary>How the publisher retries (<c>TicketApi:*</c> backoff).</summary>
public sealed record PublisherSettings(TimeSpan InitialBackoff, TimeSpan MaxBackoff, int Window, TimeSpan AckTimeout)
{
    public static PublisherSettings Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 512, TimeSpan.FromSeconds(30));
}

/// <summary>
/// Sends the outbox to TicketApi over <c>CallEventIngest.Publish</c> and deletes each event on its ack
/// (ingest.proto: at-least-once). When TicketApi is away it retries with exponential backoff (1 s doubling to 30 s);
/// after a reconnect everything still in the outbox is resent, so an outage or an engine restart loses nothing.
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
                try
                {
                    await PublishOnceAsync(stopping);
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested && ex is RpcException or IOException or HttpRequestException or TimeoutException)
                {
                    Failures++;
                    LogSendFailed(logger, Failures, outbox.PendingCount(), backoff.TotalSeconds, ex.Message);
                    var wait = Task.Delay(backoff, time, stopping);
                    RetryScheduled?.Invoke(backoff);
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

    private void Wake() => _wake.Writer.TryWrite(true);

    private async Task PublishOnceAsync(CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var call = client.Publish(cancellationToken: linked.Token);
        var inFlight = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var lastAck = time.GetUtcNow();
        var acks = Task.Run(async () =>
        {
            await foreach (var ack in call.ResponseStream.ReadAllAsync(linked.Token))
            {
                if (ack.Accepted) outbox.Delete(ack.EventId);
                else
                {
                    outbox.DeadLetter(ack.EventId, ack.Error);
                    LogDeadLettered(logger, ack.EventId, ack.Error);
                }
                inFlight.TryRemove(ack.EventId, out _);
                Interlocked.Increment(ref _acked);
                lastAck = time.GetUtcNow();
                Wake();
            }
        }, linked.Token);

        var connectedLogged = false;
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
                inFlight[e.EventId] = e.RowId;
                await call.RequestStream.WriteAsync(e.Envelope, linked.Token);
                after = e.RowId;
            }
            if (!connectedLogged && batch.Count > 0)
            {
                connectedLogged = true;
                if (Failures > 0) LogReconnected(logger, Failures);
                Failures = 0;
            }
            if (batch.Count > 0) continue;
            if (!inFlight.IsEmpty && time.GetUtcNow() - lastAck > settings.AckTimeout)
                throw new TimeoutException($"No ack from TicketApi for {settings.AckTimeout.TotalSeconds:0} s with {inFlight.Count} events in flight.");
            using var tick = new CancellationTokenSource(settings.AckTimeout, time);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot publish events to TicketApi (attempt {Attempt}, {Pending} events kept in the outbox); retrying in {BackoffSeconds} s: {Error}")]
    private static partial void LogSendFailed(ILogger logger, int attempt, long pending, double backoffSeconds, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Publishing to TicketApi again after {Attempts} failed attempts")]
    private static partial void LogReconnected(ILogger logger, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "TicketApi rejected event {EventId}; moved to the dead-letter table: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string eventId, string error);
}
