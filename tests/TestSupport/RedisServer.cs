using System.Net.Sockets;

namespace Hotline.TestSupport;

/// <summary>A real redis-server on a free loopback port, no persistence, stopped on dispose.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly PeerProcess _process;

    private RedisServer(PeerProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000";

    /// <summary>Starts redis-server on <paramref name="port"/> (a free one when null: a restart passes the old one).</summary>
    public static async Task<RedisServer> StartAsync(int? port = null)
    {
        var chosen = port ?? FreePort.Next();
        var process = PeerProcess.Start("redis-server", ["--port", chosen.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
        await process.WaitForLineAsync(l => l.Contains("Ready to accept connections", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        return new RedisServer(process, chosen);
    }

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();
}
