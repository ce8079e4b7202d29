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
        for (var i = 0; i < 300; i++)
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
        var picked = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Enumerable.Range(0, 50).Select(_ => FreePort.Next()).ToList())));
        Assert.That(picked.SelectMany(p => p), Is.Unique);
    }
}
