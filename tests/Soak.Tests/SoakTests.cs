using Hotline.TestSupport;

namespace Hotline.Soak.Tests;

/// <summary>
/// The short soak of the test command: tools/soak/run.sh for 150 s of load (the hour-long one is the same script
/// with its defaults). Too short for a growth slope, it fails on anything not given back once the callers stop: a
/// call, agent or caller stuck, RTP ports or SIP sessions still held, descriptors above the start, the outbox not
/// drained, or offered != answered + abandoned.
/// </summary>
[TestFixture]
[NonParallelizable]
[Category("Soak")]
public sealed class SoakTests
{
    [Test]
    public async Task Three_minute_soak_shows_no_growth_and_leaves_nothing_stuck()
    {
        var output = Directory.CreateTempSubdirectory("hotline-soak-").FullName;
        await using var soak = PeerProcess.Start("bash", [Path.Combine(RepoPaths.Root, "tools", "soak", "run.sh"), "3", "5", "10", "5"],
            new Dictionary<string, string> { ["SOAK_SECONDS"] = "150", ["SOAK_OUT"] = output }, RepoPaths.Root);
        var code = await soak.Exited.WaitAsync(TimeSpan.FromMinutes(6));
        TestContext.Out.WriteLine(soak.Output);
        Assert.That(code, Is.Zero, soak.Output);
        Assert.That(soak.Output, Does.Contain("SOAK PASSED"));
        try { Directory.Delete(output, recursive: true); }
        catch (IOException) { }
    }
}
