using System.Globalization;
using Hotline.TestSupport;

namespace Hotline.Cti.Tests.Calls;

/// <summary>sipp on loopback running one call of a scenario from tools/sipp, failing on any timeout (30 s).</summary>
internal static class OneCallSipp
{
    /// <summary>Skips the test when sipp is not installed.</summary>
    public static void AssumeInstalled() => Assume.That(File.Exists("/usr/bin/sipp"), "sipp missing: tools/install-peers.sh test");

    /// <param name="scenario">A file name in tools/sipp.</param>
    /// <param name="sipPort">sipp's SIP port (a free one unless given).</param>
    /// <param name="more">Further arguments: a service (<c>-s</c>), the remote host of a caller scenario.</param>
    public static PeerProcess Start(string scenario, int? sipPort = null, params string[] more) =>
        PeerProcess.Start("sipp", [
            "-sf", Path.Combine(RepoPaths.Root, "tools", "sipp", scenario),
            "-i", "127.0.0.1", "-p", (sipPort ?? FreePort.Next()).ToString(CultureInfo.InvariantCulture),
            "-mi", "127.0.0.1", "-mp", FreePort.Next(4).ToString(CultureInfo.InvariantCulture),
            "-nostdin", "-m", "1", "-timeout", "30", "-timeout_error", .. more]);
}
