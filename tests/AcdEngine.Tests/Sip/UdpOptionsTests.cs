using Hotline.AcdEngine.Sip;

namespace Hotline.AcdEngine.Tests.Sip;

/// <summary><c>Sip:UdpBatch</c> and <c>Sip:UdpReceivers</c> (issue 22): validated at start, naming the key.</summary>
[TestFixture]
public sealed class UdpOptionsTests
{
    [TestCase(1, 0)]
    [TestCase(16, 0)]
    [TestCase(64, 64)]
    [TestCase(16, 4)]
    public void Values_in_range_are_taken(int batch, int receivers) =>
        Assert.That(new SipOptionsValidator().Validate(null, new SipOptions { UdpBatch = batch, UdpReceivers = receivers }).Succeeded, Is.True);

    [TestCase(0, 0, "Sip:UdpBatch")]
    [TestCase(65, 0, "Sip:UdpBatch")]
    [TestCase(16, -1, "Sip:UdpReceivers")]
    [TestCase(16, 65, "Sip:UdpReceivers")]
    public void Out_of_range_is_refused_naming_the_key(int batch, int receivers, string key)
    {
        var result = new SipOptionsValidator().Validate(null, new SipOptions { UdpBatch = batch, UdpReceivers = receivers });
        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain(key));
    }

    [Test]
    public void Defaults_batch_sixteen_and_one_loop_per_core()
    {
        var options = new SipOptions();
        Assert.That((options.UdpBatch, options.UdpReceivers), Is.EqualTo((16, 0)));
    }
}
