namespace Hotline.AcdEngine.Prompts;

/// <summary>Finds the sounds folder: absolute, or relative to the content root or any folder above it (the repo root).</summary>
public static class SoundsFolder
{
    public static string Resolve(string configured, string contentRoot)
    {
        if (Path.IsPathRooted(configured)) return configured;
        for (var dir = new DirectoryInfo(contentRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, configured);
            if (Directory.Exists(candidate)) return candidate;
        }
        return Path.Combine(contentRoot, configured);
    }
}
