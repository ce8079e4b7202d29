using System.Diagnostics.Metrics;
using Hotline.Cti.Sip.Transport;
using Hotline.Cti.Tests.Sip;

namespace Hotline.Cti.Tests.Sip.Transport;

/// <summary>The SIP metrics count by method and status, and a peer's made-up method cannot add a series.</summary>
[TestFixture]
public sealed class SipMessageCountersTests
{
    [Test]
    public void Requests_count_by_method_and_direction_responses_by_status_unknown_methods_as_OTHER()
    {
        using var counters = new SipMessageCounters();
        var seen = new List<(string Instrument, long Value, string Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, counters.Meter)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            seen.Add((instrument.Name, value, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}")))));
        listener.Start();

        var invite = SipTestMessages.Request("INVITE");
        counters.Received(invite);
        counters.Received(SipTestMessages.Request("XYZZY", branch: "z9hG4bKother"));
        counters.Sent(SipTestMessages.ResponseTo(invite, 486));
        counters.Rejected();
        counters.Retransmitted("A");

        Assert.That(seen, Is.EqualTo(new[]
        {
            ("hotline.sip.requests", 1L, "method=INVITE,direction=in"),
            ("hotline.sip.requests", 1L, "method=OTHER,direction=in"),
            ("hotline.sip.responses", 1L, "status=486,direction=out"),
            ("hotline.sip.rejected", 1L, ""),
            ("hotline.sip.retransmissions", 1L, "cause=A"),
        }));
    }
}
