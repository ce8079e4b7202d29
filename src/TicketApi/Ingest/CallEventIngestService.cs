using System.Threading.Channels;
using Grpc.Core;
using Hotline.Contracts.V1;
using Hotline.TicketApi.Security;
using Microsoft.Extensions.Options;

namespace Hotline.TicketApi.Ingest;

/// <summary>
/// gRPC adaptor for <c>CallEventIngest.Publish</c> (ingest.proto): hands each envelope to the
/// <see cref="IngestWriter"/> and streams back one Ack per event, after its commit, in commit order.
/// Only a configured engine node may publish (<c>Authorization: Bearer &lt;node key&gt;</c>, <c>Ingest:Nodes</c>), and
/// only events carrying its own node id: a forged or misattributed event changes no figure (COMMON identity model).
/// The stream ends when the host stops (ApplicationStopping): a publisher's long-lived stream must not hold the
/// shutdown for .NET's 30 s timeout (issue 20); unacked events stay in the engine's outbox and are resent.
/// </summary>
public sealed partial class CallEventIngestService(IngestWriter writer, IOptions<IngestOptions> nodes, IHostApplicationLifetime lifetime,
    ILogger<CallEventIngestService> logger, Metrics.TicketMetrics? metrics = null) : CallEventIngest.CallEventIngestBase
{
    public override async Task Publish(IAsyncStreamReader<IngestEnvelope> requestStream, IServerStreamWriter<Ack> responseStream, ServerCallContext context)
    {
        var node = Authenticate(context);
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
                    var claimed = envelope.EventCase switch
                    {
                        IngestEnvelope.EventOneofCase.Call => envelope.Call.NodeId,
                        IngestEnvelope.EventOneofCase.Agent => envelope.Agent.NodeId,
                        _ => "",
                    };
                    // An event that names no node is the authenticated node's own; one that names another is forged.
                    if (claimed.Length == 0)
                    {
                        if (envelope.EventCase == IngestEnvelope.EventOneofCase.Call) envelope.Call.NodeId = node.NodeId;
                        else if (envelope.EventCase == IngestEnvelope.EventOneofCase.Agent) envelope.Agent.NodeId = node.NodeId;
                    }
                    else if (claimed != node.NodeId)
                    {
                        LogForeignNode(logger, node.NodeId, claimed, context.Peer);
                        metrics?.StreamRefused("foreign_node");
                        throw new RpcException(new Status(StatusCode.PermissionDenied, $"Node {node.NodeId} may publish only its own events (got node_id '{claimed}')."));
                    }
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

    private IngestNode Authenticate(ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization");
        var node = header is { Length: > 7 } && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? nodes.Value.Find(header[7..].Trim()) : null;
        if (node is not null) return node;
        LogRefused(logger, header is null ? "no credential" : "unknown node key", context.Peer);
        metrics?.StreamRefused("unauthenticated");
        throw new RpcException(new Status(StatusCode.Unauthenticated, "Ingest needs Authorization: Bearer <node key> of a node in Ingest:Nodes."));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest refused ({Why}) from {Peer}")]
    private static partial void LogRefused(ILogger logger, string why, string peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest refused: node {NodeId} sent an event of node '{ClaimedNodeId}' (from {Peer})")]
    private static partial void LogForeignNode(ILogger logger, string nodeId, string claimedNodeId, string peer);
}
