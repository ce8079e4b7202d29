using System.Diagnostics;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Hosting;

/// <summary>Runs the built console tool (tools/HotlineCtl) as a real process, as tools/hotlinectl does.</summary>
internal static class HotlineCtlRunner
{
    public static string Dll => Path.Combine(RepoPaths.Root, "tools", "HotlineCtl", "bin", RepoPaths.Configuration, "net10.0", "hotlinectl.dll");

    public sealed record Result(int ExitCode, string Out, string Err);

    /// <summary>Runs <c>hotlinectl args</c> with <paramref name="key"/> in HOTLINE_KEY (null: none) and waits for its exit.</summary>
    public static async Task<Result> RunAsync(string? key, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        // The test machine's own settings must not leak in.
        info.Environment.Remove("HOTLINE_ENGINE");
        info.Environment.Remove("HOTLINE_CTI");
        info.Environment.Remove("HOTLINE_KEY");
        if (key is not null) info.Environment["HOTLINE_KEY"] = key;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"hotlinectl {string.Join(' ', args)} did not exit within 30 s");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
