using System.Globalization;
using System.Security.Cryptography;

namespace Hotline.TestSupport;

/// <summary>
/// A real PostgreSQL server (Debian's postgresql-15) in a temporary folder on a free loopback port, password
/// authentication (SCRAM) for one superuser, stopped and deleted on dispose. <c>initdb</c> and <c>postgres</c>
/// refuse to run as root: as root they run as the <c>postgres</c> account (<c>runuser -u postgres --</c>).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string User = "hotline";

    private readonly PeerProcess _process;
    private readonly string _folder;

    private PostgresServer(PeerProcess process, string folder, int port, string password)
    {
        _process = process;
        _folder = folder;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    public string Password { get; }

    public PeerProcess Process => _process;

    /// <summary>An Npgsql connection string to <paramref name="database"/>.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username={User};Password={Password};Database={database};Pooling=true";

    public static string BinFolder
    {
        get
        {
            var root = "/usr/lib/postgresql";
            var version = Directory.Exists(root)
                ? Directory.GetDirectories(root).Select(Path.GetFileName).OrderByDescending(v => int.TryParse(v, out var n) ? n : 0).FirstOrDefault()
                : null;
            return version is null
                ? throw new InvalidOperationException("PostgreSQL is not installed: run tools/install-peers.sh test (postgresql)")
                : Path.Combine(root, version, "bin");
        }
    }

    /// <summary>Starts a fresh cluster. <paramref name="durable"/> false turns fsync off (tests that only need SQL).</summary>
    public static async Task<PostgresServer> StartAsync(bool durable = false)
    {
        var folder = Path.Combine(Path.GetTempPath(), "hotline-pg-" + Guid.NewGuid().ToString("N"));
        var data = Path.Combine(folder, "data");
        Directory.CreateDirectory(folder);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var passwordFile = Path.Combine(folder, "pw");
        await File.WriteAllTextAsync(passwordFile, password);
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", ["-R", "postgres:postgres", folder]);
        await RunAsync(Path.Combine(BinFolder, "initdb"),
            ["-D", data, "-U", User, "--auth=scram-sha-256", "--pwfile", passwordFile, "--encoding=UTF8", "--no-sync", "--no-instructions"], asRoot, workingDirectory: folder);
        File.Delete(passwordFile);
        var port = FreePort.Next();
        string[] args =
        [
            "-D", data, "-p", port.ToString(CultureInfo.InvariantCulture), "-k", folder, "-c", "listen_addresses=127.0.0.1",
            "-c", "max_connections=200", "-c", $"fsync={(durable ? "on" : "off")}", "-c", "full_page_writes=off",
        ];
        var process = asRoot
            ? PeerProcess.Start("runuser", ["-u", "postgres", "--", Path.Combine(BinFolder, "postgres"), .. args], workingDirectory: folder)
            : PeerProcess.Start(Path.Combine(BinFolder, "postgres"), args, workingDirectory: folder);
        try
        {
            await process.WaitForLineAsync(l => l.Contains("ready to accept connections", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            await process.DisposeAsync();
            throw new InvalidOperationException("PostgreSQL did not start:\n" + process.Output);
        }
        return new PostgresServer(process, folder, port, password);
    }

    /// <summary>Creates a database, optionally as a copy of <paramref name="template"/> (fast: no migrations to run again).</summary>
    public Task CreateDatabaseAsync(string name, string? template = null) =>
        RunAsync(Path.Combine(BinFolder, "createdb"),
            ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", User, .. template is null ? Array.Empty<string>() : ["-T", template], name],
            asPostgres: false, new Dictionary<string, string> { ["PGPASSWORD"] = Password });

    private static async Task RunAsync(string file, string[] args, bool asPostgres = false, IDictionary<string, string>? env = null, string? workingDirectory = null)
    {
        await using var p = asPostgres
            ? PeerProcess.Start("runuser", ["-u", "postgres", "--", file, .. args], env, workingDirectory)
            : PeerProcess.Start(file, args, env, workingDirectory);
        var code = await p.Exited.WaitAsync(TimeSpan.FromSeconds(60));
        if (code != 0) throw new InvalidOperationException($"{Path.GetFileName(file)} exited with {code}:\n{p.Output}");
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by an exiting backend: the temp folder is cleaned by the OS later.
        }
    }
}
