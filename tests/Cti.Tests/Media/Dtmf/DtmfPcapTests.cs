using Hotline.Cti.Media.Dtmf;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Tests.Media.Support;

namespace Hotline.Cti.Tests.Media.Dtmf;

/// <summary>RFC 4733 digits from sipp's captures (<c>/usr/share/sip-tester/dtmf_2833_*.pcap</c>): each yields its digit once.</summary>
public class DtmfPcapTests
{
    public static IEnumerable<TestCaseData> Captures()
    {
        foreach (var name in new[] { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "star", "pound" })
        {
            var digit = name switch { "star" => '*', "pound" => '#', _ => name[0] };
            yield return new TestCaseData($"/usr/share/sip-tester/dtmf_2833_{name}.pcap", digit).SetName($"Pcap_dtmf_2833_{name}_yields_{digit}_once");
        }
    }

    [TestCaseSource(nameof(Captures))]
    public void Capture_yields_its_digit_exactly_once(string path, char expected)
    {
        Assume.That(File.Exists(path), $"{path} missing: run tools/install-peers.sh test");
        var digits = new List<char>();
        var receiver = new DtmfReceiver();
        long tick = 0;
        foreach (var datagram in PcapReader.UdpPayloads(path))
        {
            Assert.That(RtpPacket.TryParse(datagram, out var rtp), Is.True);
            if (receiver.OnPacket(rtp.Timestamp, rtp.Payload, tick++, out var digit, out _)) digits.Add(digit);
        }
        // Long after: the lost-end timer must not report it again.
        if (receiver.OnTick(tick + DtmfReceiver.LostEndTimeoutTicks * 2, out var late, out _)) digits.Add(late);
        Assert.That(digits, Is.EqualTo(new[] { expected }));
    }

    [Test]
    public void A_digit_whose_end_packets_are_all_lost_is_reported_once_after_the_timeout()
    {
        var receiver = new DtmfReceiver();
        var payload = new byte[4];
        var reported = new List<char>();
        for (var i = 1; i <= 5; i++)
        {
            new TelephoneEvent(7, false, 10, (ushort)(i * 160)).Write(payload);
            if (receiver.OnPacket(1000, payload, i, out var d, out _)) reported.Add(d);
        }
        Assert.That(receiver.OnTick(5 + DtmfReceiver.LostEndTimeoutTicks - 1, out _, out _), Is.False);
        Assert.That(receiver.OnTick(5 + DtmfReceiver.LostEndTimeoutTicks, out var digit, out var ms), Is.True);
        Assert.That(receiver.OnTick(200, out _, out _), Is.False);
        Assert.Multiple(() =>
        {
            Assert.That(reported, Is.Empty);
            Assert.That(digit, Is.EqualTo('7'));
            Assert.That(ms, Is.EqualTo(100));
        });
    }

    [Test]
    public void Same_key_pressed_twice_is_two_digits_and_a_new_event_flushes_an_unended_one()
    {
        var receiver = new DtmfReceiver();
        var payload = new byte[4];
        var reported = new List<char>();
        void Feed(uint ts, byte ev, bool end, long tick)
        {
            new TelephoneEvent(ev, end, 10, 800).Write(payload);
            if (receiver.OnPacket(ts, payload, tick, out var d, out _)) reported.Add(d);
        }
        Feed(1000, 1, false, 0);
        Feed(1000, 1, true, 1);
        Feed(1000, 1, true, 2);
        Feed(1000, 1, true, 3);
        Feed(3000, 1, true, 10);   // second press of the same key, new timestamp
        Feed(5000, 2, false, 20);  // start of '2' whose end is lost…
        Feed(7000, 3, false, 30);  // …flushed by '3'
        Feed(7000, 3, true, 31);
        Assert.That(reported, Is.EqualTo(new[] { '1', '1', '2', '3' }));
    }

    [TestCase("Signal=5\r\nDuration=160\r\n", '5', 160)]
    [TestCase("Signal= #\r\nDuration= 250", '#', 250)]
    [TestCase("signal=11\n", '#', 100)]
    [TestCase("Signal=10\r\n", '*', 100)]
    public void Sip_info_dtmf_relay_bodies_parse(string body, char digit, int duration)
    {
        Assert.That(DtmfRelayBody.TryParse(body, out var d, out var ms), Is.True);
        Assert.That((d, ms), Is.EqualTo((digit, duration)));
    }

    [TestCase("")]
    [TestCase("Duration=160")]
    [TestCase("Signal=X")]
    [TestCase("Signal=42")]
    public void Bad_dtmf_relay_bodies_are_refused(string body) =>
        Assert.That(DtmfRelayBody.TryParse(body, out _, out _), Is.False);
}
