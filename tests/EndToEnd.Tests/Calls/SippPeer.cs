using System.Globalization;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Calls;

/// <summary>A sipp process in its own folder, with the local SIP port chosen by the caller (so a UAS can register first).</summary>
internal sealed class SippPeer : IAsyncDisposable
{
    private readonly string _work;

    private readonly int _localPort;

    private SippPeer(string work, PeerProcess process, int localPort)
    {
        _work = work;
        Process = process;
        _localPort = localPort;
    }

    public PeerProcess Process { get; }

    public static SippPeer Start(int targetPort, int localPort, IEnumerable<string> scenario, params string[] extra) =>
        Start(targetPort, localPort, scenario, extra, "127.0.0.1");

    /// <summary>
    /// As above, towards <paramref name="targetHost"/> (a proxy on its own loopback address). sipp stops itself after
    /// <paramref name="timeout"/> (default 60 s, its <c>-timeout</c>, with <c>-timeout_error</c>): a longer run must say so.
    /// </summary>
    public static SippPeer Start(int targetPort, int localPort, IEnumerable<string> scenario, IEnumerable<string> extra, string targetHost,
        TimeSpan? timeout = null)
    {
        var work = Path.Combine(Path.GetTempPath(), "hotline-sipp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var args = new List<string>
        {
            targetHost + ":" + targetPort.ToString(CultureInfo.InvariantCulture),
            "-i", "127.0.0.1",
            "-p", localPort.ToString(CultureInfo.InvariantCulture),
            "-mp", FreePort.Next(4).ToString(CultureInfo.InvariantCulture),
            "-timeout", ((int)Math.Ceiling((timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s", "-timeout_error", "-nostdin", "-trace_err",
        };
        args.AddRange(scenario);
        args.AddRange(extra);
        return new SippPeer(work, PeerProcess.Start("sipp", args, workingDirectory: work), localPort);
    }

    public static string Scenario(string name) => Path.Combine(RepoPaths.Root, "tools", "sipp", name);

    /// <summary>
    /// Until sipp has bound its SIP port (so a request sent to it now is not lost to ICMP). sipp announces nothing,
    /// so the kernel's socket table is the signal: /proc/net/udp lists the port once it is bound.
    /// </summary>
    public async Task WaitBoundAsync(TimeSpan? timeout = null)
    {
        var needle = ":" + _localPort.ToString("X4", CultureInfo.InvariantCulture) + " ";
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (!(await File.ReadAllTextAsync("/proc/net/udp", cts.Token)).Contains(needle, StringComparison.Ordinal))
        {
            if (Process.Exited.IsCompleted) throw new InvalidOperationException("sipp exited before binding: " + Process.Output);
            await tick.WaitForNextTickAsync(cts.Token);
        }
    }

    /// <summary>Exit code (0: every call as scripted) and output with the error log.</summary>
    public async Task<(int ExitCode, string Output)> WaitAsync(TimeSpan timeout)
    {
        var code = await Process.Exited.WaitAsync(timeout);
        var errors = Directory.GetFiles(_work, "*_errors.log").Select(File.ReadAllText).FirstOrDefault() ?? "";
        return (code, Process.Output + "\n" + errors);
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        try { Directory.Delete(_work, recursive: true); }
        catch (IOException) { }
    }
}
