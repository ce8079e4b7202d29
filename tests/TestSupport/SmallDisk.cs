using System.Diagnostics;

namespace Hotline.TestSupport;

/// <summary>
/// A real, small file system (tmpfs of a few MiB, <c>mount -t tmpfs -o size=…</c>) to fill up: the "engine's data disk
/// full" fault (issue 21). Mounting needs root (CAP_SYS_ADMIN); <see cref="TryMount"/> says why when it cannot, for
/// the test to <c>Assert.Ignore</c> with. Unmounted and deleted on dispose.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    private string FillPath => System.IO.Path.Combine(Path, "fill");

    /// <summary>A mounted tmpfs of <paramref name="megabytes"/> MiB, or null and why not.</summary>
    public static SmallDisk? TryMount(int megabytes, out string whyNot)
    {
        whyNot = "";
        if (!OperatingSystem.IsLinux()) { whyNot = "tmpfs mounts need Linux"; return null; }
        if (Environment.UserName != "root") { whyNot = $"mounting a small tmpfs needs root (running as {Environment.UserName})"; return null; }
        var path = Directory.CreateTempSubdirectory("hotline-disk-").FullName;
        var (code, error) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0777", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(path);
            whyNot = $"mount -t tmpfs failed (exit {code}; no CAP_SYS_ADMIN in this container?): {error.Trim()}";
            return null;
        }
        return new SmallDisk(path);
    }

    /// <summary>Writes a file until the file system refuses (ENOSPC): the disk is full.</summary>
    public void Fill()
    {
        var block = new byte[64 * 1024];
        using var file = new FileStream(FillPath, FileMode.Append, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true) file.Write(block);
        }
        catch (IOException)
        {
        }
        // The last partial block: fill to the byte.
        var one = new byte[1];
        try
        {
            while (true) { file.Write(one); file.Flush(); }
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Deletes the fill file: space returns.</summary>
    public void Free() => File.Delete(FillPath);

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }

    private static (int Code, string Error) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}
