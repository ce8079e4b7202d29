using System.Text.RegularExpressions;

namespace Hotline.TestSupport.Architecture;

/// <summary>
/// Namespaces match folders (STYLE.md "Layout shows the architecture"): a file under <c>src/AcdEngine/Queues/</c>
/// declares <c>Hotline.AcdEngine.Queues</c>. Read from the sources, since a built assembly no longer knows its folders.
/// </summary>
public static partial class SourceNamespaces
{
    /// <summary>
    /// Files under <paramref name="folder"/> (absolute) whose first namespace differs from <paramref name="rootNamespace"/>
    /// plus their relative folder, as "path: declares X, folder says Y". Files without a namespace (top-level
    /// <c>Program.cs</c>) and build output are skipped.
    /// </summary>
    public static IReadOnlyList<string> Mismatches(string folder, string rootNamespace)
    {
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(folder, file).Replace('\\', '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal)) continue;
            if (Declared().Match(File.ReadAllText(file)) is not { Success: true } m) continue;
            var dir = Path.GetDirectoryName(relative)!.Replace('\\', '/');
            var expected = dir.Length == 0 ? rootNamespace : rootNamespace + "." + dir.Replace('/', '.');
            if (m.Groups[1].Value != expected) found.Add($"{relative}: declares {m.Groups[1].Value}, folder says {expected}");
        }
        return found.Order(StringComparer.Ordinal).ToList();
    }

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex Declared();
}
