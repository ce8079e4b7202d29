using System.Globalization;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Sip;

/// <summary>Runs one bounded sipp scenario from tools/sipp against a target and returns its exit code and output.</summary>
internal static class Sipp
{
    /// <summary>sipp exits 0 when every call succeeded, 1 when at least one failed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(int targetPort, string scenario, string service, int calls = 1, int rate = 10,
        params string[] extra)
    {
        var work = Path.Combine(Path.GetTempPath(), "hotline-sipp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var args = new List<string>
        {
            "127.0.0.1:" + targetPort.ToString(CultureInfo.InvariantCulture),
            "-sf", Path.Combine(RepoPaths.Root, "tools", "sipp", scenario),
            "-s", service,
            "-i", "127.0.0.1",
            "-p", FreePort.Next().ToString(CultureInfo.InvariantCulture),
            "-mp", FreePort.Next(4).ToString(CultureInfo.InvariantCulture),
            "-m", calls.ToString(CultureInfo.InvariantCulture),
            "-r", rate.ToString(CultureInfo.InvariantCulture),
            "-timeout", "20s", "-timeout_error", "-nostdin", "-trace_err",
        };
        args.AddRange(extra);
        await using var sipp = PeerProcess.Start("sipp", args, workingDirectory: work);
        var code = await sipp.Exited.WaitAsync(TimeSpan.FromSeconds(40));
        var errors = Directory.GetFiles(work, "*_errors.log").Select(File.ReadAllText).FirstOrDefault() ?? "";
        try { Directory.Delete(work, recursive: true); }
        catch (IOException) { }
        return (code, sipp.Output + "\n" + errors);
    }
}
