using Hotline.TicketApi.WebConsole;
using Microsoft.Extensions.FileProviders;

namespace Hotline.TicketApi.Tests.Console;

[TestFixture]
public sealed class PageInlinerTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("inliner").FullName;
        Directory.CreateDirectory(Path.Combine(_root, "console"));
        Directory.CreateDirectory(Path.Combine(_root, "css"));
        Directory.CreateDirectory(Path.Combine(_root, "js"));
        File.WriteAllText(Path.Combine(_root, "css", "console.css"), "body { color: red; }\n");
        File.WriteAllText(Path.Combine(_root, "js", "a.js"), "var a = 1;\n");
        File.WriteAllText(Path.Combine(_root, "js", "b.js"), "var b = a + 1;\n");
        File.WriteAllText(Path.Combine(_root, "js", "tricky.js"), "document.write('</script>');\n");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private string? Inline(string html)
    {
        File.WriteAllText(Path.Combine(_root, "console", "page.html"), html);
        using var files = new PhysicalFileProvider(_root);
        return PageInliner.Inline(files, "console/page.html");
    }

    [Test]
    public void The_pages_csp_allows_exactly_its_inline_blocks_by_hash_never_unsafe_inline()
    {
        File.WriteAllText(Path.Combine(_root, "console", "page.html"),
            """<head><link rel="stylesheet" href="/css/console.css"></head><body><script src="/js/a.js"></script><script>go();</script></body>""");
        using var files = new PhysicalFileProvider(_root);
        var page = PageInliner.InlineWithPolicy(files, "console/page.html")!;
        static string Sha(string s) => "'sha256-" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(s))) + "'";
        Assert.Multiple(() =>
        {
            Assert.That(page.ContentSecurityPolicy, Does.Contain("script-src 'self' " + Sha("\nvar a = 1;\n") + " " + Sha("go();") + ";"));
            Assert.That(page.ContentSecurityPolicy, Does.Contain("style-src 'self' " + Sha("\nbody { color: red; }\n") + ";"));
            Assert.That(page.ContentSecurityPolicy, Does.Contain("frame-ancestors 'none'"));
            // The order page's <audio> plays /api/recordings/play/…: without it Chromium rejects the load (issue 17's player).
            Assert.That(page.ContentSecurityPolicy, Does.Contain("media-src 'self';"));
            Assert.That(page.ContentSecurityPolicy, Does.Not.Contain("unsafe-inline"));
        });
    }

    [Test]
    public void The_stylesheet_and_scripts_are_inlined_in_place_and_in_order()
    {
        var html = Inline("""<head><link rel="stylesheet" href="/css/console.css"></head><body><script src="/js/a.js"></script><script src="/js/b.js"></script></body>""");
        Assert.That(html, Is.EqualTo("<head><style>\nbody { color: red; }\n</style></head><body><script>\nvar a = 1;\n</script><script>\nvar b = a + 1;\n</script></body>"));
    }

    [Test]
    public void Missing_assets_outside_files_and_scripts_that_would_end_early_stay_references()
    {
        const string page = """<script src="/js/missing.js"></script><script src="https://elsewhere.example/x.js"></script><script src="/js/tricky.js"></script>""";
        Assert.That(Inline(page), Is.EqualTo(page));
    }

    [Test]
    public void A_page_that_does_not_exist_is_null()
    {
        using var files = new PhysicalFileProvider(_root);
        Assert.That(PageInliner.Inline(files, "console/nowhere.html"), Is.Null);
    }
}
