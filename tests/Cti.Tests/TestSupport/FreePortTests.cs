using Hotline.TestSupport;

namespace Hotline.Cti.Tests.TestSupport;

/// <summary>
/// The ports tests pick for their peers: a port handed out is never handed out again soon, even though it is still
/// free (its peer has not bound it yet) — sipp once got its own SIP port as its media port.
/// </summary>
[TestFixture]
public sealed class FreePortTests
{
    [Test]
    public void Ports_handed_out_are_never_handed_out_again_while_still_unbound()
    {
        var ports = new List<int>();
        for (var i = 0; i < 100; i++)
        {
            var single = FreePort.Next();
            var range = FreePort.Next(4);
            ports.Add(single);
            ports.AddRange(Enumerable.Range(range, 4));
        }
        Assert.That(ports, Is.Unique);
    }

    [Test]
    public async Task Callers_on_many_threads_get_distinct_ports()
    {
        var picked = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Enumerable.Range(0, 25).Select(_ => FreePort.Next()).ToList())));
        Assert.That(picked.SelectMany(p => p), Is.Unique);
    }

    [Test]
    public void Ports_lie_outside_the_kernels_ephemeral_range_and_the_engines_default_rtp_range()
    {
        // An outgoing connection anywhere on the machine takes an ephemeral port: one picked there can be gone before
        // its peer binds it (CI, 4 Dec: a TicketApi host failed to start with "address already in use").
        var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        Assume.That(range[0] > 30000 && range[1] < 63000, Is.True, "this machine's ephemeral range leaves too few ports outside it");
        var ports = Enumerable.Range(0, 40).SelectMany(_ => Enumerable.Range(FreePort.Next(25), 25)).ToList();
        Assert.That(ports, Is.Unique);
        Assert.That(ports, Has.All.GreaterThanOrEqualTo(10000));
        Assert.That(ports.Where(p => p is >= 20000 and <= 29999), Is.Empty, "the engine's default RTP range");
        Assert.That(ports.Where(p => p >= range[0] && p <= range[1]), Is.Empty, "the kernel's ephemeral range");
    }
}
