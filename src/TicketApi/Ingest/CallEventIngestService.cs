using System.Threading.Channels;
using Grpc.Core;
using Hotline.Contracts.V1;

namespace Hotline.TicketApi.Ingest;

/// <summary>
/// gRPC adaptor for <c>CallEventIngest.Publish</c> (ingest.proto): hands each envelope to the
/// <see cref="IngestWriter"/> and streams back one Ack per event, after its commit, in commit order.
/// The stream ends when the host stops (ApplicationStopping): a publisher's long-lived stream must not hold the
/// shutdown for .NET's 30 s timeout (issue 20); unacked events stay in the engine's outbox and are resent.
/// </summary>
public sealed class CallEventIngestService(IngestWriter writer, IHostApplicationLifetime lifetime) : CallEventIngest.CallEventIngestBase
{
    public override async Task Publish(IAsyncStreamReader<IngestEnvelope> requestStream, IServerStreamWriter<Ack> responseStream, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var ct = linked.Token;
        var acks = Channel.CreateUnbounded<Ack>();   // multi-reader kind: it can Count (the buffering below)
        long outstanding = 0;
        var readingDone = false;
        var pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var envelope in requestStream.ReadAllAsync(ct))
                {
                    Interlocked.Increment(ref outstanding);
                    await writer.EnqueueAsync(new PendingEvent(envelope, acks.Writer), ct);
                }
            }
            finally
            {
                Volatile.Write(ref readingDone, true);
                if (Interlocked.Read(ref outstanding) == 0) acks.Writer.TryComplete();
            }
        }, ct);

        var buffered = new WriteOptions(WriteFlags.BufferHint);
        try
        {
            await foreach (var ack in acks.Reader.ReadAllAsync(ct))
            {
                // A batch commit releases up to 2,000 acks at once: buffer them and flush when none is left waiting.
                responseStream.WriteOptions = acks.Reader.Count > 0 ? buffered : null;
                await responseStream.WriteAsync(ack, ct);
                if (Interlocked.Decrement(ref outstanding) == 0 && Volatile.Read(ref readingDone)) acks.Writer.TryComplete();
            }
            await pump;
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Host stopping: the stream ends here; the engine resends what it has no ack for.
            throw new RpcException(new Status(StatusCode.Unavailable, "TicketApi is stopping."));
        }
    }
}
