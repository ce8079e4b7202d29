using System.Globalization;
using System.Text.RegularExpressions;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Calls;

/// <summary>
/// A headless baresip in its own folder: plays <c>source</c> as its microphone, dumps what it hears to
/// <c>dump-*-dec.wav</c> (sndfile module). Listens on a free port pair (baresip binds PORT and PORT+1).
/// </summary>
internal sealed class Baresip : IAsyncDisposable
{
    private Baresip(string folder, PeerProcess process)
    {
        Folder = folder;
        Process = process;
    }

    public string Folder { get; }
    public PeerProcess Process { get; }

    /// <summary>
    /// Starts baresip for <paramref name="seconds"/>; <paramref name="account"/> is its accounts line;
    /// <paramref name="extraConfig"/> adds config lines (e.g. <c>module srtp.so</c>, <c>sip_cafile …</c>).
    /// </summary>
    /// <paramref name="port"/>: listen there (the first of two free ports, e.g. a gateway the engine was configured with).
    public static Baresip Start(string account, string source, int seconds, string answerMode = "auto", string? dial = null,
        IEnumerable<string>? extraConfig = null, int? port = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "hotline-baresip-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        port ??= FreePort.Next(2);
        File.WriteAllText(Path.Combine(folder, "config"), string.Join('\n',
            "module_path /usr/lib/baresip/modules",
            $"sip_listen 127.0.0.1:{port.Value.ToString(CultureInfo.InvariantCulture)}",
            "module g711.so", "module aufile.so", "module sndfile.so",
            $"snd_path {folder}",
            $"audio_source aufile,{source}",
            "audio_player aufile,/dev/null",
            "module_app menu.so", "module_app account.so",
            $"answermode {answerMode}", string.Join('\n', extraConfig ?? []), ""));
        File.WriteAllText(Path.Combine(folder, "accounts"), account + "\n");
        var args = new List<string> { "-f", folder, "-t", seconds.ToString(CultureInfo.InvariantCulture) };
        if (dial is not null) args.AddRange(["-e", "/dial " + dial]);
        return new Baresip(folder, PeerProcess.Start("baresip", args));
    }

    /// <summary>The biggest decoded dump (what this phone heard), or null.</summary>
    public string? HeardFile() => Directory.GetFiles(Folder, "dump-*-dec.wav").OrderByDescending(f => new FileInfo(f).Length).FirstOrDefault();

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>sox helpers: make test tones and measure what a phone heard (<c>sox FILE -n stat</c>).</summary>
internal static partial class Sox
{
    public static async Task<string> ToneAsync(string folder, int hz, int seconds)
    {
        var path = Path.Combine(folder, $"tone-{hz}.wav");
        await using var sox = PeerProcess.Start("sox", ["-n", "-r", "8000", "-b", "16", "-c", "1", path, "synth",
            seconds.ToString(CultureInfo.InvariantCulture), "sine", hz.ToString(CultureInfo.InvariantCulture), "vol", "0.5"]);
        var code = await sox.Exited.WaitAsync(TimeSpan.FromSeconds(20));
        if (code != 0) throw new InvalidOperationException("sox failed: " + sox.Output);
        return path;
    }

    /// <summary>(rough frequency Hz, RMS amplitude 0..1, length s) of a WAV.</summary>
    public static async Task<(double Frequency, double Rms, double Seconds)> StatAsync(string file)
    {
        await using var sox = PeerProcess.Start("sox", [file, "-n", "stat"]);
        // stat prints to stderr; wait for its last line rather than the exit (output is read asynchronously).
        await sox.WaitForLineAsync(l => l.Contains("Rough   frequency", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        var output = sox.Output;
        return (Field(output, "Rough   frequency"), Field(output, "RMS     amplitude"), Field(output, "Length (seconds)"));
    }

    private static double Field(string output, string name)
    {
        var m = Regex.Match(output, Regex.Escape(name) + @":\s*(-?[0-9.]+)");
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
    }
}
