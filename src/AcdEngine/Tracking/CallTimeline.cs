using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Tracking;

/// <summary>One ring attempt of a call: which agent, when, how it ended.</summary>
public sealed record RingAttempt(string AgentId, int Attempt, DateTimeOffset Start)
{
    public DateTimeOffset? End { get; set; }
    public RingResult Result { get; set; }
}

/// <summary>
/// The timeline of one call, appended to by its flow only: offered → IVR → queued → ring attempts → answered or
/// abandoned → talk, hold → ended. All instants come from the injected <see cref="TimeProvider"/>, so waits are
/// exact to the clock (and to the 20 ms frame under the media clock).
/// </summary>
public sealed class CallTimeline(DateTimeOffset offeredAt)
{
    private readonly List<RingAttempt> _rings = [];
    private TimeSpan _held;
    private DateTimeOffset? _holdStart;

    public DateTimeOffset OfferedAt { get; } = offeredAt;
    public DateTimeOffset? IvrStart { get; set; }
    public DateTimeOffset? IvrEnd { get; set; }
    public DateTimeOffset? QueuedAt { get; set; }
    public DateTimeOffset? LeftQueueAt { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? FirstResponder { get; set; }

    /// <summary>When the agent had the silent-caller closing played (DOMAIN.md), if they did.</summary>
    public DateTimeOffset? SilentCallerAt { get; set; }
    public IReadOnlyList<RingAttempt> Rings => _rings;

    public RingAttempt StartRing(string agentId, DateTimeOffset at)
    {
        var ring = new RingAttempt(agentId, _rings.Count + 1, at);
        _rings.Add(ring);
        return ring;
    }

    /// <summary>Queue entry → agent answer (ARCHITECTURE.md step 4; DOMAIN.md 15 s rule).</summary>
    public TimeSpan Wait(DateTimeOffset until) => QueuedAt is { } q ? until - q : TimeSpan.Zero;

    public void HoldStarted(DateTimeOffset at) => _holdStart ??= at;

    public TimeSpan HoldEnded(DateTimeOffset at)
    {
        if (_holdStart is not { } start) return TimeSpan.Zero;
        _holdStart = null;
        _held += at - start;
        return at - start;
    }

    /// <summary>The summary for <see cref="CallEnded"/>.</summary>
    public CallEnded Summary(HangupBy by, string reason, TimeSpan wrapUp)
    {
        var end = EndedAt ?? OfferedAt;
        if (_holdStart is not null) HoldEnded(end);
        var ringMs = (uint)Math.Min(uint.MaxValue, _rings.Sum(r => (long)Ms((r.End ?? end) - r.Start)));
        var talk = AnsweredAt is { } a ? end - a - _held : TimeSpan.Zero;
        return new CallEnded
        {
            HangupBy = by,
            IvrMs = IvrStart is { } i ? Ms((IvrEnd ?? end) - i) : 0,
            QueueMs = QueuedAt is { } q ? Ms((LeftQueueAt ?? AnsweredAt ?? end) - q) : 0,
            RingMs = ringMs,
            TalkMs = Ms(talk),
            HoldMs = Ms(_held),
            WrapUpMs = Ms(wrapUp),
            FirstResponderAgentId = FirstResponder ?? "",
            Direction = CallDirection.Inbound,
            Reason = reason,
        };
    }

    public static uint Ms(TimeSpan span) => span <= TimeSpan.Zero ? 0 : (uint)Math.Min(uint.MaxValue, (long)span.TotalMilliseconds);
}
