using Hotline.Cti.Media;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Dtmf;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Sdp;
using Hotline.Cti.Media.Sources;
using Hotline.Cti.Tests.Media.Support;

namespace Hotline.Cti.Tests.Media.Rtp;

/// <summary>A session against UDP sockets on loopback, its clock ticked by the test in virtual time.</summary>
public class MediaSessionTests
{
    private static List<byte[]> ReceiveAll(RtpPeer peer, int count)
    {
        var packets = new List<byte[]>();
        for (var i = 0; i < count; i++)
            packets.Add(peer.Receive() ?? throw new AssertionException($"packet {i + 1} of {count} never arrived"));
        return packets;
    }

    private static (bool Marker, byte Pt, ushort Seq, uint Ts, uint Ssrc, byte[] Payload) Parse(byte[] datagram)
    {
        Assert.That(RtpPacket.TryParse(datagram, out var p), Is.True);
        return (p.Marker, p.PayloadType, p.SequenceNumber, p.Timestamp, p.Ssrc, p.Payload.ToArray());
    }

    [Test]
    public async Task Sends_to_the_sdp_address_then_re_latches_to_a_natted_source_only_after_a_run_of_consecutive_packets()
    {
        await using var media = new MediaFixture();
        using var signalled = new RtpPeer();
        using var natted = new RtpPeer();
        var session = media.Answered(signalled);
        _ = session.PlayAsync(ToneSource.Sine(440));
        media.Tick();
        Assert.That(signalled.Receive(), Is.Not.Null, "before latching we send to the SDP address");

        // Symmetric RTP behind NAT (RFC 4961): the peer's packets come from another address than its SDP names. One
        // packet is not enough; a run of consecutive sequence numbers over >= 120 ms (no packet from the SDP address) is.
        for (var i = 1; i < RtpSourceLatch.RunLength; i++)
        {
            natted.SendAudio(new short[160], session.LocalEndPoint);
            var strays = i;
            Eventually.True(() => session.Statistics.StrayPackets == strays, "the natted packet " + i);
            media.Time.Advance(TimeSpan.FromMilliseconds(20));
        }
        Assert.That(session.Statistics.PacketsReceived, Is.Zero, "a short run does not latch");
        natted.SendAudio(new short[160], session.LocalEndPoint);
        Eventually.True(() => session.Statistics.PacketsReceived == 1, "the run's last packet");
        media.Tick();
        Assert.Multiple(() =>
        {
            Assert.That(natted.Receive(), Is.Not.Null, "after latching we answer the actual source");
            Assert.That(signalled.Receive(100), Is.Null, "and no longer the SDP address");
        });

        // The address the SDP names speaks after all: it takes the leg back at once, and for good.
        signalled.SendAudio(new short[160], session.LocalEndPoint);
        Eventually.True(() => session.Statistics.PacketsReceived == 2, "the SDP address's packet is taken");
        while (natted.Receive(100) is not null) { } // what was sent there before the switch
        media.Tick();
        Assert.Multiple(() =>
        {
            Assert.That(signalled.Receive(), Is.Not.Null, "we answer the SDP address again");
            Assert.That(natted.Receive(100), Is.Null, "and no longer the latched source");
        });
        for (var i = 0; i < RtpSourceLatch.RunLength * 2; i++)
        {
            natted.SendAudio(new short[160], session.LocalEndPoint);
            var strays = RtpSourceLatch.RunLength + i;
            Eventually.True(() => session.Statistics.StrayPackets == strays, "the natted packet after the SDP address spoke " + i);
            media.Time.Advance(TimeSpan.FromMilliseconds(20));
        }
        Assert.That(session.Statistics.PacketsReceived, Is.EqualTo(2), "once the SDP address has spoken no run from elsewhere latches");
    }

    [Test]
    public async Task An_outsider_spraying_the_port_during_a_call_never_latches_and_hears_nothing()
    {
        await using var media = new MediaFixture();
        using var caller = new RtpPeer();
        using var outsider = new RtpPeer();
        var session = media.Answered(caller);
        _ = session.PlayAsync(ToneSource.Sine(440));
        for (var frame = 1; frame <= 30; frame++)
        {
            // Every 20 ms the caller speaks; between two of its packets the outsider sends a whole run.
            caller.SendAudio(new short[160], session.LocalEndPoint);
            for (var i = 0; i < RtpSourceLatch.RunLength + 2; i++) outsider.SendAudio(new short[160], session.LocalEndPoint);
            var expected = frame;
            Eventually.True(() => session.Statistics.PacketsReceived == expected, "the caller's packet " + frame);
            media.Tick();
        }
        Assert.Multiple(() =>
        {
            Assert.That(outsider.Receive(200), Is.Null, "the outsider receives nothing");
            Assert.That(caller.Receive(), Is.Not.Null, "the caller still gets the audio");
            Assert.That(session.RemoteEndPoint, Is.EqualTo(caller.EndPoint));
        });
    }

    [Test]
    public async Task Packets_that_reached_the_port_before_the_leg_started_are_discarded()
    {
        await using var media = new MediaFixture();
        using var caller = new RtpPeer();
        using var outsider = new RtpPeer();
        var session = media.Engine.CreateSession();
        var answer = media.Engine.CreateSdp(session).Answer(caller.Offer());
        session.Apply(answer.Media!);
        // Sprayed at the pair between the answer and the start (the port was guessable before issue 14).
        for (var i = 0; i < 20; i++) outsider.SendAudio(new short[160], session.LocalEndPoint);
        caller.SendAudio(new short[160], session.LocalEndPoint);
        // Loopback delivery is synchronous on Linux: the datagrams are queued on the socket once SendTo returns.
        session.Start();
        caller.SendAudio(new short[160], session.LocalEndPoint);
        Eventually.True(() => session.Statistics.PacketsReceived == 1, "the caller's first packet after the start");
        _ = session.PlayAsync(ToneSource.Sine(440));
        media.Tick();
        Assert.Multiple(() =>
        {
            Assert.That(session.Statistics.StrayPackets, Is.Zero, "nothing queued before the start was even looked at");
            Assert.That(outsider.Receive(200), Is.Null);
        });
        await session.DisposeAsync();
    }

    [Test]
    public async Task Ssrc_sequence_and_timestamp_continue_across_source_switches_with_the_marker_bit()
    {
        await using var media = new MediaFixture();
        using var peer = new RtpPeer();
        var session = media.Answered(peer);
        _ = session.PlayAsync(ToneSource.Sine(440));
        media.Tick(3);
        _ = session.PlayAsync(ToneSource.Busy());
        media.Tick(3);
        var packets = ReceiveAll(peer, 6).Select(Parse).ToList();
        for (var i = 1; i < packets.Count; i++)
        {
            Assert.That(packets[i].Seq, Is.EqualTo((ushort)(packets[i - 1].Seq + 1)), $"seq at {i}");
            Assert.That(packets[i].Ts, Is.EqualTo(packets[i - 1].Ts + 160), $"timestamp at {i}");
            Assert.That(packets[i].Ssrc, Is.EqualTo(packets[0].Ssrc), $"ssrc at {i}");
        }
        Assert.That(packets.Select(p => p.Marker), Is.EqualTo(new[] { true, false, false, true, false, false }));
        Assert.That(packets.Select(p => p.Pt).Distinct(), Is.EqualTo(new byte[] { 0 }));
    }

    [Test]
    public async Task Play_completes_when_the_source_ends_and_when_it_is_replaced()
    {
        await using var media = new MediaFixture();
        using var peer = new RtpPeer();
        var session = media.Answered(peer);
        var shortTone = session.PlayAsync(ToneSource.Sine(440, durationMs: 60));
        media.Tick(3);
        Assert.That(shortTone.IsCompleted, Is.False);
        media.Tick();
        await shortTone.WaitAsync(TimeSpan.FromSeconds(5));

        var music = session.PlayAsync(ToneSource.Ringback());
        media.Tick();
        session.StopAudio();
        await music.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(music.IsCompletedSuccessfully, Is.True);
    }

    [Test]
    public async Task Hold_stops_sending_and_resume_restarts_with_marker_and_elapsed_timestamp()
    {
        await using var media = new MediaFixture();
        using var peer = new RtpPeer();
        var session = media.Answered(peer);
        var sdp = media.Engine.CreateSdp(session);
        _ = session.PlayAsync(ToneSource.Sine(440));
        media.Tick();
        var before = Parse(peer.Receive()!);

        var hold = sdp.Answer(peer.Offer("sendonly"));
        Assert.That(hold.AnswerSdp, Does.Contain("a=recvonly"));
        session.Apply(hold.Media!);
        media.Tick(5);
        Assert.That(peer.Receive(100), Is.Null, "nothing is sent while the peer holds us");

        session.Apply(sdp.Answer(peer.Offer("sendrecv")).Media!);
        media.Tick();
        var after = Parse(peer.Receive()!);
        Assert.Multiple(() =>
        {
            Assert.That(after.Marker, Is.True);
            Assert.That(after.Seq, Is.EqualTo((ushort)(before.Seq + 1)));
            Assert.That(after.Ts, Is.EqualTo(before.Ts + (6 * 160)));
        });
    }

    [Test]
    public async Task No_rtp_for_the_inactivity_timeout_raises_media_timeout_once_in_virtual_time()
    {
        await using var media = new MediaFixture(inactivitySeconds: 30);
        using var peer = new RtpPeer();
        var session = media.Answered(peer);
        var timeouts = 0;
        var timedOut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        session.MediaTimeout += (_, _) => { Interlocked.Increment(ref timeouts); timedOut.TrySetResult(); };

        media.Tick(50 * 20); // 20 s
        peer.SendAudio(new short[160], session.LocalEndPoint);
        Eventually.True(() => session.Statistics.PacketsReceived == 1, "the packet");
        media.Tick(50 * 29); // 29 s after the packet: still alive
        Assert.That(timedOut.Task.IsCompleted, Is.False);
        media.Tick(50 * 2);
        await timedOut.Task.WaitAsync(TimeSpan.FromSeconds(5));
        media.Tick(50 * 40);
        Assert.That(timeouts, Is.EqualTo(1));
    }

    [Test]
    public async Task An_inactive_hold_does_not_time_out()
    {
        await using var media = new MediaFixture(inactivitySeconds: 30);
        using var peer = new RtpPeer();
        var session = media.Answered(peer, direction: "inactive");
        var timedOut = false;
        session.MediaTimeout += (_, _) => timedOut = true;
        media.Tick(50 * 60);
        Assert.That(timedOut, Is.False);
        Assert.That(peer.Receive(50), Is.Null, "inactive: nothing is sent either");
    }

    [Test]
    public async Task Sent_digits_are_rfc4733_events_the_receiver_reads_once()
    {
        await using var media = new MediaFixture();
        using var peer = new RtpPeer();
        var session = media.Answered(peer);
        media.Tick();
        var audio = Parse(peer.Receive()!);
        session.SendDtmf('9', 100);
        media.Tick(5);
        var events = new List<(bool Marker, byte Pt, ushort Seq, uint Ts, uint Ssrc, byte[] Payload)>();
        byte[]? d;
        while ((d = peer.Receive(100)) is not null) events.Add(Parse(d));
        Assert.That(events.All(e => e.Pt == 101), Is.True);
        Assert.That(events.Select(e => e.Ts).Distinct(), Is.EqualTo(new[] { audio.Ts + 160 }), "one timestamp per event");
        Assert.That(events[0].Marker, Is.True);
        Assert.That(events.Count(e => (e.Payload[1] & 0x80) != 0), Is.EqualTo(3), "the end packet three times");
        var receiver = new DtmfReceiver();
        var digits = new List<char>();
        foreach (var e in events)
            if (receiver.OnPacket(e.Ts, e.Payload, 0, out var digit, out _)) digits.Add(digit);
        Assert.That(digits, Is.EqualTo(new[] { '9' }));

        media.Tick(4);
        var next = Parse(peer.Receive()!);
        Assert.That((next.Pt, next.Marker), Is.EqualTo(((byte)0, true)), "audio resumes as a new talkspurt");
    }

    [Test]
    public async Task Sending_dtmf_without_telephone_event_is_refused()
    {
        await using var media = new MediaFixture();
        using var peer = new RtpPeer();
        var session = media.Answered(peer, formats: "0");
        Assert.That(() => session.SendDtmf('1'), Throws.InvalidOperationException.With.Message.Contains("telephone-event"));
    }

    [Test]
    public async Task Digits_from_the_sipp_pcap_replayed_over_udp_are_reported_once()
    {
        const string path = "/usr/share/sip-tester/dtmf_2833_pound.pcap";
        Assume.That(File.Exists(path), Is.True);
        await using var media = new MediaFixture();
        using var peer = new RtpPeer();
        var session = media.Answered(peer);
        var digits = new List<char>();
        var first = new TaskCompletionSource<char>(TaskCreationOptions.RunContinuationsAsynchronously);
        session.Dtmf += (_, e) => { lock (digits) digits.Add(e.Digit); first.TrySetResult(e.Digit); };
        var datagrams = PcapReader.UdpPayloads(path);
        foreach (var datagram in datagrams) peer.SendRaw(datagram, session.LocalEndPoint);
        Assert.That(await first.Task.WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo('#'));
        Eventually.True(() => session.Statistics.PacketsReceived == datagrams.Count, "all packets");
        media.Tick(60);
        Assert.That(session.ReceiveSipInfo("Signal=4\r\nDuration=120\r\n"), Is.True);
        Eventually.True(() => { lock (digits) return digits.Count == 2; }, "the INFO digit");
        lock (digits) Assert.That(digits, Is.EqualTo(new[] { '#', '4' }));
    }

    [Test]
    public async Task Echo_returns_the_callers_own_audio()
    {
        await using var media = new MediaFixture();
        using var peer = new RtpPeer();
        var session = media.Answered(peer);
        session.Echo();
        var tone = ToneSource.Sine(440);
        var frame = new short[160];
        var heard = new List<short>();
        for (var i = 0; i < 10; i++)
        {
            tone.ReadFrame(frame);
            peer.SendAudio(frame, session.LocalEndPoint);
            Eventually.True(() => session.Statistics.PacketsReceived == i + 1, "the packet");
            media.Tick();
            var back = Parse(peer.Receive()!);
            var pcm = new short[160];
            G711.Decode(G711Law.Ulaw, back.Payload, pcm);
            heard.AddRange(pcm);
        }
        // Under a loaded CI machine one frame may miss its tick (the receive thread fills the jitter buffer); the gap
        // spreads some energy, but what comes back must still be dominated by the caller's own 440 Hz.
        Assert.That(Goertzel.RelativePower(heard.ToArray(), 440), Is.GreaterThan(0.5));
    }

    [Test]
    public async Task Rtcp_sender_report_goes_to_rtp_port_plus_one_every_five_seconds()
    {
        await using var media = new MediaFixture();
        var port = Hotline.TestSupport.FreePort.Next(2);
        using var peer = new RtpPeer(port);
        using var rtcp = new RtpPeer(port + 1);
        var session = media.Answered(peer);
        // RFC 3550 §6.3.1: the first report comes after a random 2.5–7.5 s; loopback delivery is synchronous, so
        // after the tick that sends it the datagram is already waiting.
        byte[]? report = null;
        var ticks = 0;
        while (report is null && ticks < 400)
        {
            media.Tick();
            ticks++;
            report = rtcp.Receive(timeoutMs: 0);
        }
        Assert.That(report, Is.Not.Null);
        Assert.That(ticks, Is.InRange(125, 375));
        Assert.That(report![1], Is.EqualTo(RtcpPacket.SenderReport));
        Assert.That(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(report.AsSpan(4)), Is.EqualTo(session.Ssrc));
        Assert.That(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(report.AsSpan(20)), Is.EqualTo((uint)ticks), "packet count, this tick's packet included");
        Assert.That(session.Statistics.PacketsSent, Is.EqualTo(ticks));
        media.Tick(249);
        Assert.That(rtcp.Receive(timeoutMs: 0), Is.Null, "then every 5 s");
        media.Tick();
        Assert.That(rtcp.Receive(), Is.Not.Null);
        Assert.That(session.Statistics.RtcpSent, Is.EqualTo(2));
    }

    [Test]
    public async Task Recorder_tap_writes_what_the_leg_says_and_hears()
    {
        await using var media = new MediaFixture();
        using var peer = new RtpPeer();
        var session = media.Answered(peer);
        var path = Path.Combine(Path.GetTempPath(), $"hotline-rec-{Guid.NewGuid():N}.wav");
        try
        {
            session.StartRecording(path);
            _ = session.PlayAsync(ToneSource.Sine(1000));
            var voice = ToneSource.Sine(440);
            var frame = new short[160];
            for (var i = 0; i < 25; i++)
            {
                voice.ReadFrame(frame);
                peer.SendAudio(frame, session.LocalEndPoint);
                Eventually.True(() => session.Statistics.PacketsReceived == i + 1, "the packet");
                media.Tick();
            }
            session.StopRecording();
            var clip = WavClip.Load(path);
            Assert.That(clip.Samples.Length, Is.EqualTo(25 * 160));
            var samples = clip.Samples.Span;
            Assert.That(Goertzel.RelativePower(samples, 440), Is.GreaterThan(0.3), "the caller's voice");
            Assert.That(Goertzel.RelativePower(samples, 1000), Is.GreaterThan(0.3), "what the caller heard");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
