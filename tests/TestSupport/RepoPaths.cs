namespace Hotline.TestSupport;

/// <summary>Paths inside the checkout, found from the test assembly's location.</summary>
public static class RepoPaths
{
    /// <summary>The folder that holds Hotline.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration the tests were built with (Debug/Release).</summary>
    public static string Configuration { get; } =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>The built output folder of a host project under src/, e.g. HostOutput("AcdEngine").</summary>
    /// <remarks>
    /// <c>HOTLINE_HOSTS_ROOT</c> runs the tests against another checkout's build (e.g. main's, to show an attack
    /// succeeds on the code before a fix).
    /// </remarks>
    public static string HostOutput(string project) =>
        Path.Combine(Environment.GetEnvironmentVariable("HOTLINE_HOSTS_ROOT") is { Length: > 0 } other ? other : Root, "src", project, "bin", Configuration, "net10.0");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hotline.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Hotline.sln not found above " + AppContext.BaseDirectory);
    }
}
