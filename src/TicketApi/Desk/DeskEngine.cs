using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contracts.V1;
using Hotline.TicketApi.WebConsole;
using Microsoft.Extensions.Options;
using Hotline.TicketApi.Engine;

namespace Hotline.TicketApi.Desk;

/// <summary>The engine's CTI as the desk uses it: every request acts as the signed-in agent (<see cref="EngineIdentity"/>).</summary>
public sealed class DeskEngine : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private readonly GrpcChannel? _channel;
    private readonly string? _serviceKey;

    public DeskEngine(IOptions<AcdEngineOptions> options)
    {
        _serviceKey = options.Value.ServiceKey;
        if (!string.IsNullOrEmpty(options.Value.Url)) _channel = GrpcChannel.ForAddress(options.Value.Url);
    }

    public bool Configured => _channel is not null;

    /// <summary>Runs one CTI request as <paramref name="agentId"/>; gRPC headers carry the Service key and the act-as user.</summary>
    public Task<T> AsAgentAsync<T>(string agentId, Func<Cti.CtiClient, CallOptions, AsyncUnaryCall<T>> request, CancellationToken ct)
    {
        if (_channel is null) throw new RpcException(new Status(StatusCode.Unavailable, "AcdEngine:Url is not configured"));
        var options = new CallOptions(EngineIdentity.ActingAsAgent(_serviceKey, agentId), DateTime.UtcNow + Deadline, ct);
        return request(new Cti.CtiClient(_channel), options).ResponseAsync;
    }

    public void Dispose() => _channel?.Dispose();
}
