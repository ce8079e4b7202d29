using System.Text.RegularExpressions;
using Microsoft.Extensions.FileProviders;

namespace Hotline.TicketApi.WebConsole;

/// <summary>
/// Inlines a console page's own assets: <c>&lt;link rel="stylesheet" href="/css/…"&gt;</c> becomes a <c>&lt;style&gt;</c>
/// and <c>&lt;script src="/js/…"&gt;&lt;/script&gt;</c> an inline <c>&lt;script&gt;</c>, in place (order kept). Only files
/// under the web root are inlined; anything else is left as it is. The assets stay servable on their own paths.
/// </summary>
public static partial class PageInliner
{
    /// <summary>A page with its assets inlined, and the Content-Security-Policy that allows exactly its inline blocks.</summary>
    public sealed record Inlined(string Html, string ContentSecurityPolicy);

    /// <summary>The page with its assets inlined; null when the page does not exist.</summary>
    public static string? Inline(IFileProvider files, string path) => InlineWithPolicy(files, path)?.Html;

    /// <summary>
    /// The page with its assets inlined and a CSP naming the SHA-256 of every inline script and style, computed once
    /// here, so the browser runs those blocks and nothing injected (CSP3 hash sources; no 'unsafe-inline').
    /// </summary>
    public static Inlined? InlineWithPolicy(IFileProvider files, string path)
    {
        var page = Read(files, path);
        if (page is null) return null;
        page = Stylesheet().Replace(page, m => Read(files, m.Groups["href"].Value) is { } css ? "<style>\n" + css + "</style>" : m.Value);
        // "</script" inside a script would end it early: such a file is left as a reference.
        page = Script().Replace(page, m => Read(files, m.Groups["src"].Value) is { } js && !js.Contains("</script", StringComparison.OrdinalIgnoreCase)
            ? "<script>\n" + js + "</script>" : m.Value);
        var scripts = InlineScript().Matches(page).Select(m => Hash(m.Groups["body"].Value)).Distinct();
        var styles = InlineStyle().Matches(page).Select(m => Hash(m.Groups["body"].Value)).Distinct();
        return new Inlined(page, Security.SecurityHeaders.PagePolicy(scripts, styles));
    }

    private static string Hash(string body) =>
        "'sha256-" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body))) + "'";

    private static string? Read(IFileProvider files, string path)
    {
        var file = files.GetFileInfo(path.TrimStart('/'));
        if (!file.Exists || file.IsDirectory) return null;
        using var reader = new StreamReader(file.CreateReadStream());
        return reader.ReadToEnd();
    }

    [GeneratedRegex("""<link rel="stylesheet" href="(?<href>/css/[\w.-]+\.css)">""")]
    private static partial Regex Stylesheet();

    [GeneratedRegex("""<script src="(?<src>/js/[\w.-]+\.js)"></script>""")]
    private static partial Regex Script();

    [GeneratedRegex("""<script>(?<body>.*?)</script>""", RegexOptions.Singleline)]
    private static partial Regex InlineScript();

    [GeneratedRegex("""<style>(?<body>.*?)</style>""", RegexOptions.Singleline)]
    private static partial Regex InlineStyle();
}
