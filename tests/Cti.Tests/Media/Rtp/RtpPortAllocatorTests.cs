using Hotline.Cti.Media.Rtp;
using Hotline.TestSupport;

namespace Hotline.Cti.Tests.Media.Rtp;

public class RtpPortAllocatorTests
{
    [Test]
    public void Hands_out_even_rtp_ports_with_rtcp_next_and_says_what_to_do_when_exhausted()
    {
        var first = FreePort.Next(6);
        var even = first % 2 == 0 ? first : first + 1;
        var allocator = new RtpPortAllocator(new RtpOptions { PortMin = even, PortMax = even + 3 });
        using var a = allocator.Allocate();
        using var b = allocator.Allocate();
        Assert.Multiple(() =>
        {
            Assert.That(a.Port % 2, Is.Zero);
            Assert.That(((System.Net.IPEndPoint)a.Rtcp.LocalEndPoint!).Port, Is.EqualTo(a.Port + 1));
            Assert.That(b.Port, Is.Not.EqualTo(a.Port));
            Assert.That(allocator.InUse, Is.EqualTo(2));
        });
        Assert.That(() => allocator.Allocate(), Throws.InvalidOperationException.With.Message.Contains("Rtp:PortMax"));
        a.Dispose();
        using var c = allocator.Allocate();
        Assert.That(c.Port, Is.EqualTo(a.Port), "a released pair is reused");
    }

    [Test]
    public void Invalid_options_name_the_key()
    {
        var errors = new RtpOptions { PortMin = 30000, PortMax = 20000, BindAddress = "nowhere" }.Validate();
        Assert.That(errors, Has.Some.Contains("Rtp:PortMax").And.Some.Contains("Rtp:BindAddress"));
        Assert.That(() => new RtpPortAllocator(new RtpOptions { PortMin = 30000, PortMax = 20000 }), Throws.ArgumentException);
    }
}
