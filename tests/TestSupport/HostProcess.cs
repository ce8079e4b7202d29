using System.Globalization;

namespace Hotline.TestSupport;

/// <summary>A Hotline host (AcdEngine or TicketApi) run from its build output as a real process on loopback.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly PeerProcess _process;
    private readonly string _dataPath;

    private HostProcess(string project, PeerProcess process, int httpPort, int grpcPort, string dataPath)
    {
        Project = project;
        _process = process;
        HttpPort = httpPort;
        GrpcPort = grpcPort;
        _dataPath = dataPath;
    }

    /// <summary>AcdEngine or TicketApi.</summary>
    public string Project { get; }
    public int HttpPort { get; }
    public int GrpcPort { get; }
    public Uri HttpUrl => new($"http://127.0.0.1:{HttpPort}");
    public Uri GrpcUrl => new($"http://127.0.0.1:{GrpcPort}");
    public string DataPath => _dataPath;
    public PeerProcess Process => _process;

    /// <summary>Starts the host without waiting for it to be healthy.</summary>
    public static HostProcess Start(string project, IDictionary<string, string>? settings = null)
    {
        var output = RepoPaths.HostOutput(project);
        var dll = Path.Combine(output, $"Hotline.{project}.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("Build the solution first: host not found", dll);
        // A test that must know a host's URL before it starts (another host's settings name it) sets the endpoint itself.
        var http = PortOf(settings, "Kestrel:Endpoints:Http:Url") ?? FreePort.Next();
        var grpc = PortOf(settings, "Kestrel:Endpoints:Grpc:Url") ?? FreePort.Next();
        var data = Path.Combine(Path.GetTempPath(), "hotline-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var env = new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{http.ToString(CultureInfo.InvariantCulture)}",
            ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpc.ToString(CultureInfo.InvariantCulture)}",
            ["Data__Path"] = data,
            // Never the default 5060 or a fixed RTP range: test hosts run side by side with other test assemblies.
            ["Sip__Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            // Most engine tests drive agents over CTI without phones; tests of the "no phone" rule turn it back on.
            ["Acd__ReadyNeedsRegisteredPhone"] = "false",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        // The identity model's credentials (TestCredentials); a test's own settings override them.
        var credentials = project switch
        {
            "AcdEngine" => TestCredentials.Engine(settings is not null && settings.TryGetValue("Node:Id", out var node) ? node : "acd-1"),
            "TicketApi" => TestCredentials.TicketApi(),
            _ => [],
        };
        foreach (var (k, v) in credentials) env[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        if (settings is not null)
            foreach (var (k, v) in settings) env[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        var process = PeerProcess.Start("dotnet", [dll], env, output);
        return new HostProcess(project, process, http, grpc, data);
    }

    private static int? PortOf(IDictionary<string, string>? settings, string key) =>
        settings is not null && settings.TryGetValue(key, out var url) ? new Uri(url).Port : null;

    /// <summary>
    /// Starts the host and waits until GET /healthz answers 200: 2–5 s on a quiet machine; the default allows 120 s
    /// because at load 50–70 (a 2-core machine shared with parallel builds) a start took more than 60 s.
    /// A host that could not bind a port (another process took it between the pick and the bind) is started again on
    /// fresh ports, at most three times in all.
    /// </summary>
    public static async Task<HostProcess> StartHealthyAsync(string project, IDictionary<string, string>? settings = null, TimeSpan? timeout = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var host = Start(project, settings);
            try
            {
                await host.WaitHealthyAsync(timeout ?? TimeSpan.FromSeconds(120));
                return host;
            }
            catch (InvalidOperationException) when (attempt < 3 && host.LostAPort())
            {
                await host.DisposeAsync();
            }
            catch
            {
                await host.DisposeAsync();
                throw;
            }
        }
    }

    private bool LostAPort() =>
        _process.HasExited && _process.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Starts several hosts side by side and waits until every one is healthy: one start's wait instead of one per host
    /// (a host start is 2–5 s quiet, far more at load). Hosts that name each other set the endpoints themselves
    /// (<c>Kestrel:Endpoints:Grpc:Url</c>); each one's client toward the other then connects once the other listens:
    /// the engine's ingest retries a refused connection every second (PublisherSettings.ConnectRetry), and TicketApi's
    /// engine streams should be given <c>AcdEngine:ReconnectMaxSeconds = 1</c>. If any start fails, all are stopped.
    /// </summary>
    public static async Task<HostProcess[]> StartHealthyTogetherAsync(TimeSpan? timeout, params (string Project, IDictionary<string, string> Settings)[] hosts)
    {
        var started = new List<HostProcess>();
        try
        {
            foreach (var (project, settings) in hosts) started.Add(Start(project, settings));
            await Task.WhenAll(started.Select(h => h.WaitHealthyAsync(timeout ?? TimeSpan.FromSeconds(120))));
            return [.. started];
        }
        catch
        {
            foreach (var host in started) await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>As above with the default timeout.</summary>
    public static Task<HostProcess[]> StartHealthyTogetherAsync(params (string Project, IDictionary<string, string> Settings)[] hosts) =>
        StartHealthyTogetherAsync(null, hosts);

    /// <summary>
    /// An HTTP handler (for an HttpClient or a GrpcChannel) with this host's test credential: the engine's admin key for
    /// AcdEngine (HTTP API and CTI), the stand-in node's key (<see cref="TestCredentials.TestNodeId"/>) for TicketApi's ingest.
    /// </summary>
    public HttpMessageHandler Credentials() => TestCredentials.Bearer(
        Project == "AcdEngine" ? TestCredentials.EngineAdminKey : TestCredentials.NodeKey(TestCredentials.TestNodeId));

    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var cts = new CancellationTokenSource(timeout);
        // Poll the real endpoint: readiness of a separate process has no event to await.
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"Host exited with {await _process.Exited}:\n{_process.Output}");
            try
            {
                using var response = await http.GetAsync(new Uri(HttpUrl, "/healthz"), cts.Token);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cts.IsCancellationRequested)
            {
                // One slow probe.
            }
            if (!await ticker.WaitForNextTickAsync(cts.Token).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default))
                throw new TimeoutException($"Host not healthy after {timeout}:\n{_process.Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try { Directory.Delete(_dataPath, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
