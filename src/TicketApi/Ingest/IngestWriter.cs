using System.Threading.Channels;
using Hotline.Contracts.V1;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;
using Microsoft.Extensions.Options;

namespace Hotline.TicketApi.Ingest;

/// <summary>An event waiting to be applied, and where its ack goes once committed.</summary>
public readonly record struct PendingEvent(IngestEnvelope Envelope, ChannelWriter<Ack> ReplyTo);

/// <summary>
/// The single writer of ingested events: gathers what the streams have sent into batches (up to
/// <see cref="MaxBatch"/>), applies each batch in one transaction, then hands each ack to its stream.
/// One writer means no write contention on SQLite and one commit per batch (the 20,000 events/s figure).
/// </summary>
public sealed partial class IngestWriter(
    Func<TicketDbContext> createDb, DeadlineRules rules, IOptions<CatalogueOptions> catalogue, TimeProvider time,
    ILogger<IngestWriter> logger, Metrics.TicketMetrics? metrics = null) : BackgroundService
{
    /// <summary>
    /// Events per transaction. Larger batches write each touched index page (random event ids) once for more events and
    /// pay one commit/fsync for more of them (issue 22: 2,000 → 8,000 cut the host CPU per event on SQLite).
    /// </summary>
    public const int MaxBatch = 8000;

    private readonly System.Threading.Channels.Channel<PendingEvent> _queue = System.Threading.Channels.Channel.CreateBounded<PendingEvent>(
        new BoundedChannelOptions(MaxBatch * 4) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Events received and not yet taken into a batch (metrics).</summary>
    public int QueueLength => _queue.Reader.Count;

    public ValueTask EnqueueAsync(PendingEvent pending, CancellationToken cancellationToken) => _queue.Writer.WriteAsync(pending, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingEvent>(MaxBatch);
        var envelopes = new List<IngestEnvelope>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            envelopes.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var p))
            {
                batch.Add(p);
                envelopes.Add(p.Envelope);
            }
            Ack[] acks;
            int duplicates;
            var started = time.GetTimestamp();
            try
            {
                (acks, duplicates) = await ApplyWithRetryAsync(envelopes, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Nothing was committed: end the senders' streams with the error; they resend (at-least-once).
                LogBatchFailed(logger, ex, batch.Count);
                foreach (var p in batch) p.ReplyTo.TryComplete(ex);
                continue;
            }
            var rejected = 0;
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].ReplyTo.TryWrite(acks[i]);
                if (!acks[i].Accepted)
                {
                    rejected++;
                    LogRejected(logger, acks[i].EventId, acks[i].Error);
                }
            }
            LogBatchCommitted(logger, batch.Count, rejected);
            metrics?.Batch(batch.Count - rejected - duplicates, duplicates, rejected, time.GetElapsedTime(started), time.GetUtcNow() - OldestOccurrence(envelopes));
        }
    }

    /// <summary>
    /// Applies the batch; a deadlock or serialization failure (another TicketApi instance's batch on the same rows)
    /// rolled everything back, so the batch is simply applied again, up to <see cref="MaxAttempts"/> times.
    /// </summary>
    private async Task<(Ack[] Acks, int Duplicates)> ApplyWithRetryAsync(List<IngestEnvelope> envelopes, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var db = createDb();
                var apply = new IngestBatch(db, rules, catalogue.Value, time);
                var acks = await apply.ApplyAsync(envelopes, stoppingToken);
                return (acks, apply.Duplicates);
            }
            catch (Exception ex) when (attempt < MaxAttempts && IsConflict(ex))
            {
                LogBatchRetried(logger, envelopes.Count, attempt);
            }
        }
    }

    private const int MaxAttempts = 3;

    /// <summary>When the batch's oldest event happened on its engine (ingest lag, for the metrics).</summary>
    private static DateTimeOffset OldestOccurrence(List<IngestEnvelope> envelopes)
    {
        var oldest = DateTimeOffset.MaxValue;
        foreach (var e in envelopes)
        {
            var at = e.EventCase == IngestEnvelope.EventOneofCase.Call ? e.Call.OccurredAt : e.Agent?.OccurredAt;
            if (at is not null && at.ToDateTimeOffset() is var t && t < oldest) oldest = t;
        }
        return oldest == DateTimeOffset.MaxValue ? DateTimeOffset.UnixEpoch : oldest;
    }

    /// <summary>PostgreSQL 40P01 deadlock / 40001 serialization failure; SQL Server 1205 deadlock victim.</summary>
    internal static bool IsConflict(Exception ex) => ex switch
    {
        Npgsql.PostgresException pg => pg.SqlState is "40P01" or "40001",
        Microsoft.Data.SqlClient.SqlException sql => sql.Number == 1205,
        { InnerException: { } inner } => IsConflict(inner),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest batch of {Count} events met another writer (deadlock), attempt {Attempt}; applying it again")]
    private static partial void LogBatchRetried(ILogger logger, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingest batch of {Count} events failed; nothing committed, senders will resend")]
    private static partial void LogBatchFailed(ILogger logger, Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ingest batch of {Count} events committed, {Rejected} rejected")]
    private static partial void LogBatchCommitted(ILogger logger, int count, int rejected);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} rejected and kept aside: {Error}")]
    private static partial void LogRejected(ILogger logger, string eventId, string error);
}
