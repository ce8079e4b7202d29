using System.Net.Sockets;

namespace Hotline.TestSupport;

/// <summary>
/// A real redis-server on a free loopback port, no persistence, stopped on dispose. It wants a password
/// (<c>requirepass</c>), as a site's should (docs/security.md): every test that uses Redis talks to it authenticated.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly PeerProcess _process;

    private RedisServer(PeerProcess process, int port, string password)
    {
        _process = process;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    /// <summary>The server's <c>requirepass</c>.</summary>
    public string Password { get; }

    public string ConnectionString => $"127.0.0.1:{Port},password={Password},abortConnect=false,connectTimeout=2000";

    /// <summary>
    /// Starts redis-server on <paramref name="port"/> (a free one when null: a restart passes the old port and
    /// password).
    /// </summary>
    public static async Task<RedisServer> StartAsync(int? port = null, string? password = null)
    {
        var chosen = port ?? FreePort.Next();
        var secret = password ?? NewPassword();
        var process = PeerProcess.Start("redis-server", ["--port", chosen.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--requirepass", secret, "--save", "", "--appendonly", "no"]);
        await process.WaitForLineAsync(l => l.Contains("Ready to accept connections", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        return new RedisServer(process, chosen, secret);
    }

    /// <summary>A random password of letters and digits (nothing a connection string would need to escape).</summary>
    public static string NewPassword() => "t" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();
}
