namespace Hotline.AcdEngine.Node;

/// <summary>Where the engine keeps its outbox, recordings and logs (<c>Data:Path</c>, default <c>data</c> under the content root).</summary>
public static class DataFolder
{
    public static string Resolve(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration["Data:Path"];
        var path = string.IsNullOrWhiteSpace(configured) ? "data" : configured;
        path = Path.GetFullPath(Path.Combine(environment.ContentRootPath, path));
        Directory.CreateDirectory(path);
        return path;
    }
}
