using System.Globalization;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Calls;

/// <summary>A sipp process in its own folder, with the local SIP port chosen by the caller (so a UAS can register first).</summary>
internal sealed class SippPeer : IAsyncDisposable
{
    private readonly string _work;

    private SippPeer(string work, PeerProcess process)
    {
        _work = work;
        Process = process;
    }

    public PeerProcess Process { get; }

    public static SippPeer Start(int targetPort, int localPort, IEnumerable<string> scenario, params string[] extra)
    {
        var work = Path.Combine(Path.GetTempPath(), "hotline-sipp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var args = new List<string>
        {
            "127.0.0.1:" + targetPort.ToString(CultureInfo.InvariantCulture),
            "-i", "127.0.0.1",
            "-p", localPort.ToString(CultureInfo.InvariantCulture),
            "-mp", FreePort.Next(4).ToString(CultureInfo.InvariantCulture),
            "-timeout", "60s", "-timeout_error", "-nostdin", "-trace_err",
        };
        args.AddRange(scenario);
        args.AddRange(extra);
        return new SippPeer(work, PeerProcess.Start("sipp", args, workingDirectory: work));
    }

    public static string Scenario(string name) => Path.Combine(RepoPaths.Root, "tools", "sipp", name);

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
