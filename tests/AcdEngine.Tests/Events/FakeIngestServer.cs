using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Hotline.Contracts.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hotline.AcdEngine.Tests.Events;

/// <summary>A real Kestrel gRPC server with a CallEventIngest that records and acks (or rejects) what it receives.</summary>
public sealed class FakeIngestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeIngestServer(WebApplication app, IngestLedger ledger)
    {
        _app = app;
        Ledger = ledger;
    }

    public IngestLedger Ledger { get; }

    public static async Task<FakeIngestServer> StartAsync(int port, IngestLedger? ledger = null)
    {
        ledger ??= new IngestLedger();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The engine's appsettings.json sits in this test output folder; its Kestrel endpoints (5080/5081) must not be bound here.
        builder.Configuration.Sources.Clear();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(ledger);
        var app = builder.Build();
        app.MapGrpcService<LedgerIngest>();
        await app.StartAsync();
        return new FakeIngestServer(app, ledger);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>What the fake TicketApi applied, by event id (duplicates counted once, as TicketApi does).</summary>
public sealed class IngestLedger
{
    private readonly ConcurrentDictionary<string, IngestEnvelope> _applied = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _enough = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Expected { get; set; } = int.MaxValue;

    /// <summary>Event ids answered with accepted=false (malformed).</summary>
    public ISet<string> Reject { get; } = new HashSet<string>(StringComparer.Ordinal);

    public int Received;

    /// <summary>When set, events are received but never acked (a TicketApi that hangs).</summary>
    public volatile bool Silent;

    public IReadOnlyDictionary<string, IngestEnvelope> Applied => _applied;

    public Task AllApplied => _enough.Task;

    internal Ack Apply(IngestEnvelope e)
    {
        Interlocked.Increment(ref Received);
        var id = e.EventCase == IngestEnvelope.EventOneofCase.Call ? e.Call.EventId : e.Agent.EventId;
        if (Reject.Contains(id)) return new Ack { EventId = id, Accepted = false, Error = "malformed" };
        _applied.TryAdd(id, e);
        if (_applied.Count >= Expected) _enough.TrySetResult();
        return new Ack { EventId = id, Accepted = true };
    }
}

internal sealed class LedgerIngest(IngestLedger ledger) : CallEventIngest.CallEventIngestBase
{
    public override async Task Publish(IAsyncStreamReader<IngestEnvelope> requestStream, IServerStreamWriter<Ack> responseStream, ServerCallContext context)
    {
        await foreach (var e in requestStream.ReadAllAsync(context.CancellationToken))
        {
            if (ledger.Silent)
            {
                Interlocked.Increment(ref ledger.Received);
                continue;
            }
            await responseStream.WriteAsync(ledger.Apply(e));
        }
    }
}
