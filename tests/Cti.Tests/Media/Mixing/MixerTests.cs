using Hotline.Cti.Media;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Mixing;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Sources;
using Hotline.Cti.Tests.Media.Support;

namespace Hotline.Cti.Tests.Media.Mixing;

/// <summary>Parties are real RTP peers on loopback, each speaking its own tone; what each hears is checked by Goertzel.</summary>
public class MixerTests
{
    private sealed class Party(RtpPeer peer, MediaSession session, IAudioSource voice) : IDisposable
    {
        private readonly short[] _frame = new short[160];
        private int _sent;
        public RtpPeer Peer { get; } = peer;
        public MediaSession Session { get; } = session;
        public List<short> Heard { get; } = [];
        public bool Muted { get; set; }

        public void Speak()
        {
            if (Muted) return;
            voice.ReadFrame(_frame);
            Peer.SendAudio(_frame, Session.LocalEndPoint);
            _sent++;
        }

        public bool Delivered => Session.Statistics.PacketsReceived == _sent;

        public void Listen()
        {
            var datagram = Peer.Receive() ?? throw new AssertionException("a party got no packet this tick");
            Assert.That(RtpPacket.TryParse(datagram, out var rtp), Is.True);
            var pcm = new short[rtp.Payload.Length];
            G711.Decode(G711Law.Ulaw, rtp.Payload, pcm);
            Heard.AddRange(pcm);
        }

        public double Hears(double hz) => Goertzel.RelativePower(Heard.ToArray(), hz);

        public void Dispose() => Peer.Dispose();
    }

    private static Party Join(MediaFixture media, IAudioSource voice)
    {
        var peer = new RtpPeer();
        return new Party(peer, media.Answered(peer), voice);
    }

    private static void Run(MediaFixture media, IReadOnlyList<Party> parties, int ticks)
    {
        for (var t = 0; t < ticks; t++)
        {
            foreach (var p in parties) p.Speak();
            Eventually.True(() => parties.All(p => p.Delivered), "every party's packet");
            media.Tick();
            foreach (var p in parties) p.Listen();
        }
    }

    [Test]
    public async Task Three_parties_each_hear_the_other_two_and_not_themselves()
    {
        await using var media = new MediaFixture();
        using var a = Join(media, ToneSource.Sine(400));
        using var b = Join(media, ToneSource.Sine(900));
        using var c = Join(media, ToneSource.Sine(1500));
        var mixer = new Mixer();
        foreach (var p in new[] { a, b, c }) mixer.Add(p.Session);
        Run(media, [a, b, c], 25);
        Assert.Multiple(() =>
        {
            Assert.That(a.Hears(900), Is.GreaterThan(0.2)); Assert.That(a.Hears(1500), Is.GreaterThan(0.2)); Assert.That(a.Hears(400), Is.LessThan(0.02));
            Assert.That(b.Hears(400), Is.GreaterThan(0.2)); Assert.That(b.Hears(1500), Is.GreaterThan(0.2)); Assert.That(b.Hears(900), Is.LessThan(0.02));
            Assert.That(c.Hears(400), Is.GreaterThan(0.2)); Assert.That(c.Hears(900), Is.GreaterThan(0.2)); Assert.That(c.Hears(1500), Is.LessThan(0.02));
        });
    }

    [Test]
    public async Task A_party_losing_all_its_packets_does_not_stall_the_others()
    {
        await using var media = new MediaFixture();
        using var a = Join(media, ToneSource.Sine(400));
        using var b = Join(media, ToneSource.Sine(900));
        using var c = Join(media, ToneSource.Sine(1500));
        var mixer = new Mixer();
        foreach (var p in new[] { a, b, c }) mixer.Add(p.Session);
        c.Muted = true; // every packet from c lost
        Run(media, [a, b, c], 25);
        Assert.Multiple(() =>
        {
            Assert.That(a.Hears(900), Is.GreaterThan(0.8), "a still hears b on every tick");
            Assert.That(b.Hears(400), Is.GreaterThan(0.8));
            Assert.That(a.Heard, Has.Count.EqualTo(25 * 160), "a got a packet every tick");
        });
    }

    [Test]
    public async Task Loud_parties_are_clipped_not_wrapped()
    {
        await using var media = new MediaFixture();
        using var a = Join(media, new ToneSource(50, 0, 1000, 0, 0, level: 1.0)); // near full scale
        using var b = Join(media, new ToneSource(50, 0, 1000, 0, 0, level: 1.0));
        using var c = Join(media, new SilenceSource());
        var mixer = new Mixer();
        foreach (var p in new[] { a, b, c }) mixer.Add(p.Session);
        Run(media, [a, b, c], 5);
        // 50 Hz: the first 10 ms of each cycle are positive. Summed, they exceed 16 bits; clipped they stay positive.
        var firstHalfCycle = c.Heard.Skip(5).Take(70).ToArray();
        Assert.That(firstHalfCycle.Min(), Is.GreaterThan(0), "no wrap-around to negative");
        Assert.That(c.Heard.Max(), Is.GreaterThan(30000), "the peak is at full scale");
    }

    [Test]
    public async Task Listen_only_hears_all_unheard_and_whisper_is_heard_only_by_its_target()
    {
        await using var media = new MediaFixture();
        using var caller = Join(media, ToneSource.Sine(400));
        using var agent = Join(media, ToneSource.Sine(900));
        using var monitor = Join(media, ToneSource.Sine(1500));
        using var coach = Join(media, ToneSource.Sine(2200));
        var mixer = new Mixer();
        mixer.Add(caller.Session);
        mixer.Add(agent.Session);
        mixer.Add(monitor.Session, MixerRole.ListenOnly);
        mixer.Add(coach.Session, MixerRole.Whisper, whisperTarget: agent.Session);
        Run(media, [caller, agent, monitor, coach], 25);
        Assert.Multiple(() =>
        {
            Assert.That(monitor.Hears(400), Is.GreaterThan(0.2));
            Assert.That(monitor.Hears(900), Is.GreaterThan(0.2));
            Assert.That(caller.Hears(1500), Is.LessThan(0.02), "the caller does not hear the monitor");
            Assert.That(agent.Hears(2200), Is.GreaterThan(0.2), "the agent hears the coach");
            Assert.That(caller.Hears(2200), Is.LessThan(0.02), "the caller does not hear the coach");
        });
        mixer.Remove(agent.Session);
        Assert.That(mixer.Count, Is.EqualTo(3));
    }

    [Test]
    public async Task Playing_to_a_member_takes_it_out_of_the_mixer()
    {
        await using var media = new MediaFixture();
        using var a = Join(media, ToneSource.Sine(400));
        var mixer = new Mixer();
        mixer.Add(a.Session);
        _ = a.Session.PlayAsync(ToneSource.Beep());
        Assert.That(mixer.Count, Is.Zero);
    }

    [Test]
    public async Task A_prompt_beside_the_mix_adds_to_what_the_member_hears_and_keeps_it_heard()
    {
        // docs/webrtc.md: the consult failure tone to an agent in a three-way must not take the agent out of the mix.
        await using var media = new MediaFixture();
        using var caller = Join(media, ToneSource.Sine(400));
        using var agent = Join(media, ToneSource.Sine(900));
        using var department = Join(media, ToneSource.Sine(1500));
        var mixer = new Mixer();
        foreach (var p in new[] { caller, agent, department }) mixer.Add(p.Session);
        var prompt = agent.Session.PlayBesideAsync(ToneSource.Sine(2200, durationMs: 400));
        Run(media, [caller, agent, department], 20); // the 400 ms prompt
        Assert.Multiple(() =>
        {
            Assert.That(mixer.Count, Is.EqualTo(3), "the agent stays a member");
            Assert.That(agent.Hears(2200), Is.GreaterThan(0.2), "the agent hears the prompt");
            Assert.That(agent.Hears(400), Is.GreaterThan(0.2), "and still the caller under it");
            Assert.That(agent.Hears(1500), Is.GreaterThan(0.2), "and the department");
            Assert.That(caller.Hears(900), Is.GreaterThan(0.2), "the caller still hears the agent");
            Assert.That(department.Hears(900), Is.GreaterThan(0.2), "so does the department");
            Assert.That(caller.Hears(2200), Is.LessThan(0.02), "the prompt is the agent's only");
            Assert.That(department.Hears(2200), Is.LessThan(0.02));
        });
        Run(media, [caller, agent, department], 1); // the source reports its end on the next frame
        await prompt.WaitAsync(TimeSpan.FromSeconds(5));
        agent.Heard.Clear();
        Run(media, [caller, agent, department], 10);
        Assert.Multiple(() =>
        {
            Assert.That(agent.Hears(2200), Is.LessThan(0.02), "the prompt is over");
            Assert.That(agent.Hears(400), Is.GreaterThan(0.2), "the mix goes on");
            Assert.That(mixer.Count, Is.EqualTo(3));
        });
    }
}
