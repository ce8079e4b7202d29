using System.Threading.Channels;
using Hotline.Cti.Calls;
using Hotline.Cti.Calls.Sip;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.UserAgent;

namespace Hotline.Cti.Tests.Calls;

/// <summary>
/// A phone REFERs the engine's leg over real UDP SIP on loopback: the leg raises TransferRequested with the target
/// and the Replaces dialog, the phone gets 202 and the sipfrag NOTIFYs the engine reports (RFC 3515, RFC 3891).
/// </summary>
[TestFixture]
public sealed class SipCallLegTransferTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private SipTelephonyHost _engine = null!;
    private SipTelephonyHost _phone = null!;
    private ICallLeg _engineLeg = null!;
    private SipCallLeg _phoneLeg = null!;
    private readonly Channel<SipMessage> _notifies = Channel.CreateUnbounded<SipMessage>();

    [SetUp]
    public async Task ConnectAsync()
    {
        _engine = SipTelephonyHost.Start(FreeRtp.Options(), TimeProvider.System);
        _phone = SipTelephonyHost.Start(FreeRtp.Options(), TimeProvider.System);
        var incoming = new TaskCompletionSource<ICallLeg>(TaskCreationOptions.RunContinuationsAsynchronously);
        _engine.Telephony.IncomingCall += (_, e) => incoming.TrySetResult(e.Leg);
        var call = _phone.Telephony.Dial($"sip:12345@127.0.0.1:{_engine.Port}", new DialOptions { CallerId = "1001" });
        _engineLeg = await incoming.Task.WaitAsync(Bound);
        await _engineLeg.AnswerAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.That((await call.Answered.WaitAsync(Bound)).IsAnswered, Is.True);
        _phoneLeg = (SipCallLeg)call.Leg;
        _phoneLeg.Session.NotifyReceived += (_, e) => _notifies.Writer.TryWrite(e.Request.Message);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _phone.DisposeAsync();
        await _engine.DisposeAsync();
    }

    private async Task<string> NextNotifyBodyAsync() => (await _notifies.Reader.ReadAsync().AsTask().WaitAsync(Bound)).BodyText;

    [Test]
    public async Task Blind_refer_is_raised_accepted_and_its_progress_notified()
    {
        var requested = new TaskCompletionSource<(TransferRequestedEventArgs Args, ITransferProgress Progress)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _engineLeg.TransferRequested += (_, e) => requested.TrySetResult((e, e.Accept()));

        var response = await _phoneLeg.Session.SendReferAsync("<sip:1@hotline.example>").WaitAsync(Bound);
        Assert.That(response.StatusCode, Is.EqualTo(202));
        var (args, progress) = await requested.Task.WaitAsync(Bound);
        Assert.Multiple(() =>
        {
            Assert.That(args.TargetUser, Is.EqualTo("1"));
            Assert.That(args.Target, Is.EqualTo("sip:1@hotline.example"));
            Assert.That(args.Replaces, Is.Null);
        });
        Assert.That(await NextNotifyBodyAsync(), Is.EqualTo("SIP/2.0 100 Trying\r\n"));
        progress.Report(200);
        Assert.That(await NextNotifyBodyAsync(), Is.EqualTo("SIP/2.0 200 OK\r\n"));
        Assert.That(_engineLeg.State, Is.EqualTo(CallLegState.Connected), "the transfer does not end the leg by itself");
    }

    [Test]
    public async Task Attended_refer_carries_replaces_that_names_the_engine_dialog()
    {
        var requested = new TaskCompletionSource<TransferRequestedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        _engineLeg.TransferRequested += (_, e) =>
        {
            requested.TrySetResult(e);
            e.RefuseStatus = 403;
        };
        var d = _phoneLeg.Session.Dialog!;
        var replaces = Uri.EscapeDataString($"{d.CallId};to-tag={d.RemoteTag};from-tag={d.LocalTag}");
        var response = await _phoneLeg.Session.SendReferAsync($"<sip:1@hotline.example?Replaces={replaces}>").WaitAsync(Bound);
        var args = await requested.Task.WaitAsync(Bound);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(403), "refused by the handler: no subscription");
            Assert.That(args.Replaces, Is.EqualTo(new TransferReplaces(d.CallId, d.RemoteTag, d.LocalTag)));
            Assert.That(_engineLeg.IsDialog(args.Replaces!), Is.True, "the engine recognises its own dialog");
            Assert.That(_engineLeg.IsDialog(new TransferReplaces(d.CallId, "x", d.LocalTag)), Is.False);
        });
    }

    [Test]
    public async Task Refer_to_a_leg_nobody_handles_is_declined()
    {
        var response = await _phoneLeg.Session.SendReferAsync("<sip:1@hotline.example>").WaitAsync(Bound);
        Assert.That(response.StatusCode, Is.EqualTo(603));
    }
}
