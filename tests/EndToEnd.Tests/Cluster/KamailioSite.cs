using System.Globalization;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Cluster;

/// <summary>
/// The shipped deploy/kamailio/kamailio.cfg run as is on its own loopback address, with a db_text subscriber table
/// holding the given phone accounts and a dispatcher list of engines (probed every second, so a dead engine is taken
/// out quickly; a site keeps the shipped 2 s).
/// </summary>
internal sealed class KamailioSite : IAsyncDisposable
{
    private readonly string _folder;

    private KamailioSite(string folder, PeerProcess process, string address, int port)
    {
        _folder = folder;
        Process = process;
        Address = address;
        Port = port;
    }

    public PeerProcess Process { get; }
    public string Address { get; }
    public int Port { get; }

    /// <summary>Where engines send what they relay to phones: <c>Sip:AgentProxy</c>.</summary>
    public string Uri => $"sip:{Address}:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static async Task<KamailioSite> StartAsync(string work, string address, IEnumerable<(string User, string Password)> accounts, IEnumerable<int> engines)
    {
        var folder = Path.Combine(work, "kamailio");
        var db = Path.Combine(folder, "db");
        Directory.CreateDirectory(db);
        var shipped = Path.Combine(RepoPaths.Root, "deploy", "kamailio");
        File.Copy(Path.Combine(shipped, "db", "version"), Path.Combine(db, "version"));
        var rows = accounts.Select((a, i) => $"{(i + 1).ToString(CultureInfo.InvariantCulture)}:{a.User}:{address}:{a.Password}:::");
        await File.WriteAllTextAsync(Path.Combine(db, "subscriber"),
            await File.ReadAllTextAsync(Path.Combine(shipped, "db", "subscriber")) + string.Join('\n', rows) + "\n");
        var list = Path.Combine(folder, "dispatcher.list");
        await File.WriteAllLinesAsync(list, engines.Select(e => "1 sip:127.0.0.1:" + e.ToString(CultureInfo.InvariantCulture)));
        var port = FreePort.Next();
        var run = Path.Combine(folder, "run");
        Directory.CreateDirectory(run);
        var process = PeerProcess.Start("kamailio",
        [
            "-f", Path.Combine(shipped, "kamailio.cfg"), "-DD", "-E", "-Y", run,
            "-A", "SIP_IP=" + address, "-A", "SIP_PORT=" + port.ToString(CultureInfo.InvariantCulture),
            "-A", $"DOMAIN=\"{address}\"", "-A", $"DBURL=\"text://{db}\"", "-A", $"DISPATCHER_LIST=\"{list}\"", "-A", "DS_PING=1",
        ], workingDirectory: folder);
        try
        {
            await process.WaitForLineAsync(l => l.Contains("processes (at least)", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
        return new KamailioSite(folder, process, address, port);
    }

    public async ValueTask DisposeAsync() => await Process.DisposeAsync();
}
