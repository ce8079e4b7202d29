using System.Buffers.Binary;
using System.Text;
using Hotline.Cti.Calls;
using Hotline.Cti.Calls.Sip;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Sdp;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Media.Sources;
using Hotline.Cti.Tests.Media.Support;

namespace Hotline.Cti.Tests.Calls;

/// <summary>What legs hear and say over real loopback RTP: SIP INFO DTMF, bridged audio, media inactivity.</summary>
[TestFixture]
public sealed class SipCallLegMediaTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private SipTelephonyHost _engine = null!;
    private SipTelephonyHost _phone = null!;
    private string _dir = null!;

    [SetUp]
    public void Start()
    {
        _engine = SipTelephonyHost.Start(FreeRtp.Options(), TimeProvider.System);
        _phone = SipTelephonyHost.Start(FreeRtp.Options(), TimeProvider.System);
        _dir = Path.Combine(Path.GetTempPath(), "hotline-legs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public async Task Stop()
    {
        await _phone.DisposeAsync();
        await _engine.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Phone dials the engine, the engine answers: (engine leg, phone leg).</summary>
    private async Task<(SipCallLeg Engine, SipCallLeg Phone)> ConnectAsync(string caller)
    {
        var incoming = new TaskCompletionSource<ICallLeg>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? s, IncomingCallEventArgs e)
        {
            if (e.Leg.RemoteUser != caller) return;
            _engine.Telephony.IncomingCall -= Handler;
            incoming.TrySetResult(e.Leg);
        }
        _engine.Telephony.IncomingCall += Handler;
        var call = _phone.Telephony.Dial($"sip:12345@127.0.0.1:{_engine.Port}", new DialOptions { CallerId = caller });
        var leg = await incoming.Task.WaitAsync(Bound);
        await leg.AnswerAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.That((await call.Answered.WaitAsync(Bound)).IsAnswered, Is.True);
        return ((SipCallLeg)leg, (SipCallLeg)call.Leg);
    }

    [Test]
    public async Task Sip_info_dtmf_relay_is_reported_once_and_other_info_bodies_get_415()
    {
        var (engine, phone) = await ConnectAsync("1");
        var digits = new List<char>();
        var got = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.Dtmf += (_, e) => { lock (digits) digits.Add(e.Digit); got.TrySetResult(); };
        var ok = await phone.Session.SendInfoAsync("application/dtmf-relay", Encoding.ASCII.GetBytes("Signal=5\r\nDuration=160\r\n")).WaitAsync(Bound);
        await got.Task.WaitAsync(Bound);
        var refused = await phone.Session.SendInfoAsync("text/plain", Encoding.ASCII.GetBytes("hello")).WaitAsync(Bound);
        Assert.Multiple(() =>
        {
            Assert.That(ok.StatusCode, Is.EqualTo(200));
            Assert.That(refused.StatusCode, Is.EqualTo(415));
            lock (digits) Assert.That(digits, Is.EqualTo(new[] { '5' }));
        });
    }

    [Test]
    public async Task Two_bridged_legs_hear_each_other()
    {
        var (engineA, phoneA) = await ConnectAsync("100");
        var (engineB, phoneB) = await ConnectAsync("200");
        _engine.Telephony.Bridge(engineA, engineB);
        _ = phoneA.PlayAsync(ToneSource.Sine(440), CancellationToken.None);
        var path = Path.Combine(_dir, "b.wav");
        var start = phoneB.Media.Statistics.PacketsReceived;
        phoneB.Media.StartRecording(path);
        Eventually.True(() => phoneB.Media.Statistics.PacketsReceived - start >= 75, "1.5 s of audio at phone B");
        phoneB.Media.StopRecording();
        var samples = ReadWav(path);
        // Per 20 ms frame (a lost or late packet breaks phase across frames, not within one).
        var frames = Enumerable.Range(0, samples.Length / 160).Select(i => samples.AsSpan(i * 160, 160).ToArray())
            .Where(f => f.Any(x => Math.Abs((int)x) > 500)).ToList();
        var tonal = frames.Count(f => Goertzel.RelativePower(f, 440) > 0.5);
        // Two free-running, non-realtime clocks on a loaded 2-core machine: the simple FIFO jitter buffer drops or
        // starves some frames, so ask for a fair share of the 1.5 s, not all of it.
        Assert.That(frames, Has.Count.GreaterThanOrEqualTo(10), "phone B hears audio through the bridge");
        Assert.That(tonal, Is.GreaterThan(frames.Count * 8 / 10), "and it is phone A's 440 Hz");
    }

    [Test]
    public async Task A_leg_whose_peer_stops_sending_rtp_ends_with_media_timeout_and_bye()
    {
        // Its own engine with a 1 s inactivity timeout (a stalled clock on a busy machine must not end other tests' calls).
        await _engine.DisposeAsync();
        _engine = SipTelephonyHost.Start(FreeRtp.Options(inactivityTimeoutSeconds: 1), TimeProvider.System);
        var (engine, phone) = await ConnectAsync("300");
        var engineEnded = new TaskCompletionSource<CallLegEndedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var phoneEnded = new TaskCompletionSource<CallLegEndedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.Ended += (_, e) => engineEnded.TrySetResult(e);
        phone.Ended += (_, e) => phoneEnded.TrySetResult(e);
        await phone.Media.DisposeAsync(); // The phone goes silent on the wire (no RTP), signalling stays up.
        Assert.That((await engineEnded.Task.WaitAsync(Bound)).Cause, Is.EqualTo(HangupCause.MediaTimeout));
        Assert.That((await phoneEnded.Task.WaitAsync(Bound)).Cause, Is.EqualTo(HangupCause.RemoteHangup), "the engine sent BYE");
    }

    [Test]
    public async Task A_reinvite_to_sendonly_puts_the_engine_leg_on_recvonly_and_another_resumes_it()
    {
        var (engine, phone) = await ConnectAsync("400");
        var holds = new List<bool>();
        engine.RemoteHold += (_, e) => holds.Add(e.OnHold);
        var held = await ReInviteAsync(phone, MediaDirection.SendOnly);
        Assert.That((held.StatusCode, engine.Media.Media!.LocalDirection), Is.EqualTo((200, MediaDirection.RecvOnly)));
        Assert.That(Encoding.ASCII.GetString(held.Body.Span), Does.Contain("a=recvonly"));
        var resumed = await ReInviteAsync(phone, MediaDirection.SendRecv);
        Assert.That((resumed.StatusCode, engine.Media.Media!.LocalDirection), Is.EqualTo((200, MediaDirection.SendRecv)));
        var refused = await ReInviteAsync(phone, MediaDirection.SendRecv, codec: "9 G722/8000");
        Assert.That((refused.StatusCode, engine.State), Is.EqualTo((488, CallLegState.Connected)), "an unusable re-offer keeps the call as it was");
        Assert.That(holds, Is.EqualTo(new[] { true, false }), "RemoteHold: once on hold, once on resume, nothing for the refused offer");
    }

    [Test]
    public async Task A_recorded_leg_writes_what_it_hears_to_a_wav_file_that_is_complete_after_stop()
    {
        var (engine, phone) = await ConnectAsync("500");
        var path = Path.Combine(_dir, "rec", "call.wav");
        Assert.That(((ICallLeg)engine).StartRecording(path), Is.True);
        using var played = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await phone.PlayAsync(ToneSource.Sine(440, 600), played.Token);
        ((ICallLeg)engine).StopRecording();
        var samples = ReadWav(path);
        Assert.That(samples.Length, Is.GreaterThan(8000 / 5), "at least 200 ms recorded");
        Assert.That(samples.Max(s => Math.Abs((int)s)), Is.GreaterThan(1000), "the phone's tone is in the recording");
    }

    /// <summary>Sends a re-INVITE (RFC 3264 §8) from the phone's dialog with its offer in <paramref name="direction"/>, ACKs a 2xx.</summary>
    private async Task<SipMessage> ReInviteAsync(SipCallLeg phone, MediaDirection direction, string codec = "0 PCMU/8000")
    {
        var dialog = phone.Session.Dialog!;
        var port = phone.Media.LocalEndPoint.Port;
        var pt = codec.Split(' ')[0];
        var sdp = $"v=0\r\no=- 7 {Environment.TickCount64} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
            $"m=audio {port} RTP/AVP {pt}\r\na=rtpmap:{codec}\r\na={direction.ToString().ToLowerInvariant()}\r\n";
        var invite = dialog.CreateRequest(SipMethods.Invite);
        invite.AddHeader(SipHeaderNames.ContentType, "application/sdp");
        invite.Body = Encoding.ASCII.GetBytes(sdp);
        var ua = _phone.UserAgent;
        var tx = ua.SendInDialog(dialog, invite);
        var final = await tx.FinalResponse.WaitAsync(Bound);
        if (final.StatusCode is >= 200 and < 300) ua.SendAck(Hotline.Cti.Sip.UserAgent.SipAddressResolver.Resolve(dialog.NextHop()), dialog.CreateRequest(SipMethods.Ack, invite.CSeq.Number));
        return final;
    }

    private static short[] ReadWav(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var data = bytes.AsSpan(44);
        var samples = new short[data.Length / 2];
        for (var i = 0; i < samples.Length; i++) samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]);
        return samples;
    }
}
