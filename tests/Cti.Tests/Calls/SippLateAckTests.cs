using System.Globalization;
using Hotline.TestSupport;

namespace Hotline.Cti.Tests.Calls;

/// <summary>
/// Against a real SIP peer: sipp as a caller whose ACK comes 300 ms after our 200 (tools/sipp/caller-late-ack.xml).
/// The engine hangs the call up as soon as it has answered; RFC 3261 §15 holds our BYE until the ACK, so sipp reads
/// ACK then BYE in that order and fails on a BYE that overtakes its ACK.
/// </summary>
[Category("RealPeer")]
public sealed class SippLateAckTests
{
    [Test]
    public async Task A_hang_up_right_after_the_answer_reaches_sipp_only_after_its_late_ack()
    {
        OneCallSipp.AssumeInstalled();
        await using var engine = SipTelephonyHost.Start(FreeRtp.Options(), TimeProvider.System);
        var legEnded = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.Telephony.IncomingCall += (_, e) => legEnded.TrySetResult(Task.Run(async () =>
        {
            var answered = e.Leg.AnswerAsync(CancellationToken.None); // the 200 is out when this returns
            await e.Leg.HangupAsync(CancellationToken.None); // the leg ends at once; its BYE waits for the ACK
            await answered; // completes on the ACK
        }));

        await using var sipp = OneCallSipp.Start("caller-late-ack.xml", more: ["-s", "12345", $"127.0.0.1:{engine.Port.ToString(CultureInfo.InvariantCulture)}"]);

        await (await legEnded.Task.WaitAsync(TimeSpan.FromSeconds(30))).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(await sipp.Exited.WaitAsync(TimeSpan.FromSeconds(40)), Is.Zero, "sipp read ACK, then BYE: " + sipp.Output);
    }
}
