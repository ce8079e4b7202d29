using System.Diagnostics.Metrics;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Stats;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Opt = Microsoft.Extensions.Options.Options;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Routing;

namespace Hotline.AcdEngine.Tests.Stats;

/// <summary>
/// The queue counters as metrics: counted by <see cref="LiveStats"/> with the wallboard's figures, by queue, and
/// "answered within 15 s" by the caller's wait (DOMAIN.md timely answer rate), whatever the queue's own target.
/// </summary>
[TestFixture]
public sealed class CallCountersTests
{
    [Test]
    public void Offered_answered_within_15s_and_abandoned_are_counted_by_queue()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var counters = new CallCounters(services.GetRequiredService<IMeterFactory>());
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        var acd = new AcdOptions();
        acd.Queues["general"] = new QueueOptions();
        var roster = new AgentRoster(Opt.Create(new AgentsOptions()), Opt.Create(acd), time);
        var stats = new LiveStats(new CallQueues(Opt.Create(acd), roster, time), roster, time, Opt.Create(new NodeOptions { Id = "acd-test" }), counters);

        var totals = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == services.GetRequiredService<IMeterFactory>()) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name + "/" + string.Join(",", tags.ToArray().Select(t => t.Value));
            totals[key] = totals.GetValueOrDefault(key) + value;
        });
        listener.Start();

        stats.CountOffered("general");
        stats.CountOffered("general");
        stats.CountOffered("tax");
        stats.CountAnswered("general", TimeSpan.FromSeconds(15), withinServiceLevel: true);
        stats.CountAnswered("general", TimeSpan.FromSeconds(16), withinServiceLevel: true);   // the queue's target may be longer than 15 s
        stats.CountAbandoned("tax");

        Assert.That(totals, Is.EquivalentTo(new Dictionary<string, long>
        {
            ["hotline.calls.offered/general"] = 2,
            ["hotline.calls.offered/tax"] = 1,
            ["hotline.calls.answered/general"] = 2,
            ["hotline.calls.answered_within_15s/general"] = 1,
            ["hotline.calls.answered_within_service_level/general"] = 2,
            ["hotline.calls.abandoned/tax"] = 1,
        }));
    }
}
