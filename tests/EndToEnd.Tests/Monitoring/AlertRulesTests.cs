using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Monitoring;

/// <summary>
/// The shipped Prometheus files (deploy/prometheus) pass Prometheus's own checker, and each alert fires on the series
/// that should raise it and not before (<c>promtool test rules</c> on hotline-rules.test.yml).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class AlertRulesTests
{
    private static string Folder => Path.Combine(RepoPaths.Root, "deploy", "prometheus");

    [SetUp]
    public void NeedsPromtool()
    {
        if (!File.Exists("/usr/bin/promtool")) Assert.Ignore("promtool is not installed (Debian prometheus: tools/install-peers.sh test)");
    }

    [Test]
    public async Task The_alert_rules_are_valid()
    {
        var (code, output) = await PromtoolAsync(Folder, "check", "rules", "hotline-rules.yml");
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    public async Task Each_alert_fires_on_its_condition_and_only_then()
    {
        var (code, output) = await PromtoolAsync(Folder, "test", "rules", "hotline-rules.test.yml");
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    public async Task The_example_scrape_configuration_is_valid()
    {
        // The example reads the token from /etc/prometheus; check it against a token file of our own.
        var work = Path.Combine(Path.GetTempPath(), "hotline-promtool-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var token = Path.Combine(work, "token");
            await File.WriteAllTextAsync(token, "example-token");
            File.Copy(Path.Combine(Folder, "hotline-rules.yml"), Path.Combine(work, "hotline-rules.yml"));
            var config = (await File.ReadAllTextAsync(Path.Combine(Folder, "prometheus.yml")))
                .Replace("/etc/prometheus/hotline-scrape-token", token, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(work, "prometheus.yml"), config);
            var (code, output) = await PromtoolAsync(work, "check", "config", "prometheus.yml");
            Assert.That(code, Is.Zero, output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<(int Code, string Output)> PromtoolAsync(string folder, params string[] args)
    {
        await using var promtool = PeerProcess.Start("promtool", args, workingDirectory: folder);
        var code = await promtool.Exited.WaitAsync(TimeSpan.FromSeconds(30));
        return (code, promtool.Output);
    }
}
