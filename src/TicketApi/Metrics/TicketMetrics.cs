using System.Diagnostics.Metrics;

namespace Hotline.TicketApi.Metrics;

/// <summary>
/// TicketApi's own metrics for operators (docs/operations.md "Monitoring"): what ingest accepted, refused and found
/// duplicated, how long its database commits take and how far behind the calls it runs. The work-order gauges are
/// in <c>Hosting.OrderGauges</c>.
/// </summary>
public sealed class TicketMetrics
{
    public const string MeterName = "Hotline.TicketApi";

    private readonly Counter<long> _events;
    private readonly Counter<long> _streamsRefused;
    private readonly Histogram<double> _commit;
    private readonly Histogram<double> _lag;

    public TicketMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _events = Meter.CreateCounter<long>("hotline.ingest.events", "{event}",
            "Events from the engines by result: accepted (applied now), duplicate (applied before: acked, no change), rejected (malformed, dead-lettered).");
        _streamsRefused = Meter.CreateCounter<long>("hotline.ingest.refused", "{stream}",
            "Publish streams refused: unauthenticated (no or unknown node key) or foreign_node (an event of another node).");
        _commit = Meter.CreateHistogram<double>("hotline.ingest.commit_duration", "s", "Database time of one ingest batch (apply and commit).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _lag = Meter.CreateHistogram<double>("hotline.ingest.lag", "s", "From an event's occurrence on the engine to its commit here (oldest event of each batch).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });
    }

    /// <summary>The meter, for the gauges that other owners observe.</summary>
    public Meter Meter { get; }

    internal void Batch(int accepted, int duplicates, int rejected, TimeSpan commit, TimeSpan lag)
    {
        if (accepted > 0) _events.Add(accepted, new KeyValuePair<string, object?>("result", "accepted"));
        if (duplicates > 0) _events.Add(duplicates, new KeyValuePair<string, object?>("result", "duplicate"));
        if (rejected > 0) _events.Add(rejected, new KeyValuePair<string, object?>("result", "rejected"));
        _commit.Record(commit.TotalSeconds);
        _lag.Record(Math.Max(0, lag.TotalSeconds));
    }

    internal void StreamRefused(string reason) => _streamsRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
