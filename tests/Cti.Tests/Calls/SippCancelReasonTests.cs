using System.Globalization;
using Hotline.Cti.Calls;
using Hotline.TestSupport;

namespace Hotline.Cti.Tests.Calls;

/// <summary>
/// Against a real SIP peer: sipp as a phone that rings (tools/sipp/phone-answered-elsewhere.xml) reads the CANCEL our
/// stack sends when another phone took the call, and fails unless it carries RFC 3326's
/// <c>Reason: SIP;cause=200;text="Call completed elsewhere"</c>.
/// </summary>
[Category("RealPeer")]
public sealed class SippCancelReasonTests
{
    [Test]
    public async Task Sipp_reads_call_completed_elsewhere_in_the_cancel_and_the_dial_ends_cancelled()
    {
        OneCallSipp.AssumeInstalled();
        var sipPort = FreePort.Next();
        await using var sipp = OneCallSipp.Start("phone-answered-elsewhere.xml", sipPort);
        await using var engine = SipTelephonyHost.Start(FreeRtp.Options(), TimeProvider.System);

        // sipp binds its port a moment after it starts: the INVITE is retransmitted (RFC 3261 §17.1.1.2) until it listens.
        var call = engine.Telephony.Dial($"sip:1001@127.0.0.1:{sipPort.ToString(CultureInfo.InvariantCulture)}", new DialOptions());
        await call.Ringing.WaitAsync(TimeSpan.FromSeconds(20));
        call.CancelCompletedElsewhere();

        var result = await call.Answered.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That((result.IsAnswered, result.SipStatus), Is.EqualTo((false, 487)));
        Assert.That(await sipp.Exited.WaitAsync(TimeSpan.FromSeconds(30)), Is.Zero, "sipp found the Reason it checks: " + sipp.Output);
    }
}
