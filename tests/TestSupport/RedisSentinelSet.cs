using System.Globalization;

namespace Hotline.TestSupport;

/// <summary>
/// Debian's Redis Sentinel as a site runs it, on loopback: a master, a replica of it and three Sentinels (quorum 2)
/// watching them under the name <see cref="Service"/>. The Sentinels call the master down after 4 s without an
/// answer (<c>down-after-milliseconds</c>, <see cref="DownAfterMilliseconds"/>: why not less), so a killed master is
/// replaced within about five seconds. Every process wants the same password, as a site's should (docs/security.md):
/// the servers <c>requirepass</c> and <c>masterauth</c> (the replica, and the master once demoted), the Sentinels
/// <c>requirepass</c> and <c>sentinel auth-pass</c>.
/// </summary>
public sealed class RedisSentinelSet : IAsyncDisposable
{
    public const string Service = "hotline";

    /// <summary>
    /// <c>down-after-milliseconds</c>: more than 3.33 s, so that a Sentinel TILT can never block the failover for good.
    /// A Sentinel whose timer runs 2 s late (a starved machine: the end-to-end run of 3 Dec 04:35 saw all three enter
    /// TILT at once) does nothing for 30 s, and calls the master down only when the TILT ends. It then promotes a
    /// replica only if the replica's link to the master has been down for less than the master's time down plus ten
    /// times this value (<c>sentinelSelectSlave</c>); with 1 s, a master killed in the second before the TILT or in its
    /// first 20 s left the replica "no good" for ever (<c>-failover-abort-no-good-slave</c> every 10 s). With 4 s the
    /// ten times cover the TILT's 30 s, whenever the kill fell. A site's value is its own (docs/scaling.md).
    /// </summary>
    public const int DownAfterMilliseconds = 4000;

    private readonly string _folder;
    private readonly List<PeerProcess> _sentinels = [];

    private RedisSentinelSet(string folder) => _folder = folder;

    public PeerProcess Master { get; private set; } = null!;
    public int MasterPort { get; private set; }
    public PeerProcess Replica { get; private set; } = null!;
    public int ReplicaPort { get; private set; }
    public IReadOnlyList<int> SentinelPorts { get; private set; } = [];
    public IReadOnlyList<PeerProcess> Sentinels => _sentinels;

    /// <summary>The password of every server and Sentinel of the set.</summary>
    public string Password { get; } = RedisServer.NewPassword();

    /// <summary>The engine's <c>ConnectionStrings:Redis</c> in Sentinel form.</summary>
    public string ConnectionString =>
        string.Join(',', SentinelPorts.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture))) +
        $",serviceName={Service},password={Password},abortConnect=false,connectTimeout=2000";

    /// <summary>Starts the five processes and returns once every Sentinel knows the replica and the other two.</summary>
    public static async Task<RedisSentinelSet> StartAsync()
    {
        var set = new RedisSentinelSet(Directory.CreateTempSubdirectory("hotline-sentinel-").FullName);
        try
        {
            await set.StartAllAsync();
            return set;
        }
        catch
        {
            await set.DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync()
    {
        MasterPort = FreePort.Next();
        ReplicaPort = FreePort.Next();
        SentinelPorts = [FreePort.Next(), FreePort.Next(), FreePort.Next()];
        Master = Server(MasterPort);
        await Master.WaitForLineAsync(l => l.Contains("Ready to accept connections", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Replica = Server(ReplicaPort, "--replicaof", "127.0.0.1", Port(MasterPort));
        await Replica.WaitForLineAsync(l => l.Contains("sync: Finished with success", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        foreach (var port in SentinelPorts)
        {
            // Sentinel rewrites its configuration file as it learns the set: one writable file each.
            var config = Path.Combine(_folder, $"sentinel-{port}.conf");
            await File.WriteAllTextAsync(config, string.Join('\n',
                $"port {Port(port)}", "bind 127.0.0.1", $"dir {_folder}",
                $"requirepass {Password}",
                $"sentinel monitor {Service} 127.0.0.1 {Port(MasterPort)} 2",
                $"sentinel auth-pass {Service} {Password}",
                $"sentinel down-after-milliseconds {Service} {DownAfterMilliseconds}",
                $"sentinel failover-timeout {Service} 5000", ""));
            _sentinels.Add(PeerProcess.Start("redis-sentinel", [config]));
        }
        for (var i = 0; i < _sentinels.Count; i++)
        {
            await _sentinels[i].WaitForLineAsync(l => l.Contains("+slave slave 127.0.0.1:" + Port(ReplicaPort), StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            foreach (var other in SentinelPorts.Where((_, j) => j != i))
                await _sentinels[i].WaitForLineAsync(l => l.Contains("+sentinel sentinel", StringComparison.Ordinal) && l.Contains($" {Port(other)} @", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Kills the master (SIGKILL) and returns the Sentinel's <c>+switch-master</c> line once the replica is master.</summary>
    public async Task<string> KillMasterAndAwaitFailoverAsync(TimeSpan timeout)
    {
        var switched = _sentinels[0].WaitForLineAsync(l => l.Contains("+switch-master " + Service, StringComparison.Ordinal), timeout);
        await Master.DisposeAsync();
        try
        {
            return await switched;
        }
        catch (TimeoutException)
        {
            // A starved machine puts Sentinels in TILT (no action for 30 s) or splits the leader vote (retried after
            // twice the failover timeout): say which, from their own words.
            throw new TimeoutException($"No +switch-master within {timeout.TotalSeconds:0} s. Sentinels said:\n" +
                string.Join("\n---\n", _sentinels.Select(s => s.Output)));
        }
    }

    private PeerProcess Server(int port, params string[] extra) =>
        PeerProcess.Start("redis-server", ["--port", Port(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _folder,
            "--requirepass", Password, "--masterauth", Password, .. extra]);

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _sentinels) await s.DisposeAsync();
        if (Replica is not null) await Replica.DisposeAsync();
        if (Master is not null) await Master.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }
}
