using System.Diagnostics.Metrics;

namespace Hotline.AcdEngine.Stats;

/// <summary>
/// The queue counters as metrics (docs/operations.md "Monitoring"): monotonic since the engine started, by queue, so
/// Prometheus can take rates over any window (the wallboard's "today" figures stay in <see cref="LiveStats"/>).
/// Counted by <see cref="LiveStats"/>, the one owner of those counts.
/// </summary>
public sealed class CallCounters
{
    public const string MeterName = "Hotline.AcdEngine";

    /// <summary>DOMAIN.md "timely answer rate": calls answered within 15 s ÷ calls answered, target ≥ 80 %.</summary>
    public static readonly TimeSpan AnswerThreshold = TimeSpan.FromSeconds(15);

    private readonly Counter<long> _offered;
    private readonly Counter<long> _answered;
    private readonly Counter<long> _answeredWithin15s;
    private readonly Counter<long> _answeredWithinServiceLevel;
    private readonly Counter<long> _abandoned;
    private readonly Histogram<double> _wait;

    public CallCounters(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _offered = meter.CreateCounter<long>("hotline.calls.offered", "{call}", "Callers offered to a queue.");
        _answered = meter.CreateCounter<long>("hotline.calls.answered", "{call}", "Queued callers answered by an agent.");
        _answeredWithin15s = meter.CreateCounter<long>("hotline.calls.answered_within_15s", "{call}", "Queued callers answered within 15 s of joining the queue.");
        _answeredWithinServiceLevel = meter.CreateCounter<long>("hotline.calls.answered_within_service_level", "{call}",
            "Queued callers answered within their queue's service-level target (Acd:Queues:<name>:ServiceLevelSeconds).");
        _abandoned = meter.CreateCounter<long>("hotline.calls.abandoned", "{call}", "Queued or ringing callers who hung up before an agent answered.");
        _wait = meter.CreateHistogram<double>("hotline.calls.answer_wait", "s", "Time from joining the queue to an agent's answer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300] });
    }

    internal void Offered(string queue) => _offered.Add(1, new KeyValuePair<string, object?>("queue", queue));

    internal void Answered(string queue, TimeSpan wait, bool withinServiceLevel)
    {
        var tag = new KeyValuePair<string, object?>("queue", queue);
        _answered.Add(1, tag);
        if (wait <= AnswerThreshold) _answeredWithin15s.Add(1, tag);
        if (withinServiceLevel) _answeredWithinServiceLevel.Add(1, tag);
        _wait.Record(wait.TotalSeconds, tag);
    }

    internal void Abandoned(string queue) => _abandoned.Add(1, new KeyValuePair<string, object?>("queue", queue));
}
