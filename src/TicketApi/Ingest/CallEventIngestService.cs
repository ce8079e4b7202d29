using System.Threading.Channels;
using Grpc.Core;
using Hotline.Contracts.V1;

namespace Hotline.TicketApi.Ingest;

/// <summary>
/// gRPC adaptor for <c>CallEventIngest.Publish</c> (ingest.proto): hands each envelope to the
/// <see cref="IngestWriter"/> and streams back one Ack per event, after its commit, in commit order.
/// </summary>
public sealed class CallEventIngestService(IngestWriter writer) : CallEventIngest.CallEventIngestBase
{
    public override async Task Publish(IAsyncStreamReader<IngestEnvelope> requestStream, IServerStreamWriter<Ack> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
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
        await foreach (var ack in acks.Reader.ReadAllAsync(ct))
        {
            // A batch commit releases up to 2,000 acks at once: buffer them and flush when none is left waiting.
            responseStream.WriteOptions = acks.Reader.Count > 0 ? buffered : null;
            await responseStream.WriteAsync(ack, ct);
            if (Interlocked.Decrement(ref outstanding) == 0 && Volatile.Read(ref readingDone)) acks.Writer.TryComplete();
        }
        await pump;
    }
}
