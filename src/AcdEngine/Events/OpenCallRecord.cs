using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Events;

/// <summary>
/// What is needed to close one open call after its engine died (COMMON.md engine-failure contract): where the caller
/// was (IVR, queue, ringing, talking), the queue and when they joined it, and the call's last sequence and event time.
/// The same record is kept in the engine's own journal (<see cref="OpenCallJournal"/>, SQLite) and mirrored to Redis
/// (<see cref="OpenCallMirror"/>), so the engine itself on restart and a surviving engine emit the same closing events.
/// </summary>
public sealed record OpenCallRecord(string CallId, CallDirection Direction, string Phase, string Queue, long QueuedAtMs, ulong LastSequence, long LastAtMs)
{
    public const string Reason = "engine-failure";

    /// <summary>
    /// The record after <paramref name="e"/> (the journal's rules, OpenCallJournal.Record): a new record on CallOffered,
    /// null when the call ended (or was never seen offered: nothing to close).
    /// </summary>
    public static OpenCallRecord? Apply(OpenCallRecord? current, CallEvent e)
    {
        var at = e.OccurredAt?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0;
        if (e.PayloadCase == CallEvent.PayloadOneofCase.Offered)
            return current ?? new OpenCallRecord(e.CallId, e.Offered.Direction, "ivr", "", 0, e.Sequence, at);
        if (current is null || e.PayloadCase == CallEvent.PayloadOneofCase.Ended) return null;
        var touched = current with { LastSequence = Math.Max(current.LastSequence, e.Sequence), LastAtMs = Math.Max(current.LastAtMs, at) };
        return e.PayloadCase switch
        {
            CallEvent.PayloadOneofCase.Queued => touched with { Phase = "queue", Queue = e.Queued.Queue, QueuedAtMs = at },
            CallEvent.PayloadOneofCase.AgentRinging when current.Phase != "talking" => touched with { Phase = "ringing" },
            CallEvent.PayloadOneofCase.RingEnded when e.RingEnded.Result != RingResult.Answered && current.Phase == "ringing" => touched with { Phase = "queue" },
            CallEvent.PayloadOneofCase.Answered => touched with { Phase = "talking" },
            CallEvent.PayloadOneofCase.Abandoned => touched with { Phase = "abandoned" },
            _ => touched,
        };
    }

    /// <summary>
    /// The closing events, sent under <paramref name="nodeId"/> (the engine that emits them: TicketApi takes a node's
    /// events only under its own credential; the call keeps the node of its first event): <c>CallAbandoned</c> for an
    /// inbound caller still in the IVR, queue or ringing, then <c>CallEnded { HANGUP_BY_SYSTEM, "engine-failure" }</c>,
    /// with the contract's deterministic ids so that whoever emits them second is de-duplicated.
    /// </summary>
    public IEnumerable<CallEvent> ClosingEvents(string nodeId)
    {
        var sequence = LastSequence;
        var when = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(LastAtMs));
        if (Direction != CallDirection.Outbound && Phase is "ivr" or "queue" or "ringing")
        {
            yield return new CallEvent
            {
                EventId = CallId + ":" + Reason + "-abandoned", CallId = CallId, Sequence = ++sequence, NodeId = nodeId, OccurredAt = when,
                Abandoned = new CallAbandoned
                {
                    Queue = Queue,
                    WaitMs = QueuedAtMs > 0 ? (uint)Math.Max(0, LastAtMs - QueuedAtMs) : 0,
                    Where = Phase switch { "ivr" => AbandonPoint.Ivr, "ringing" => AbandonPoint.Ringing, _ => AbandonPoint.Queue },
                },
            };
        }
        yield return new CallEvent
        {
            EventId = CallId + ":" + Reason, CallId = CallId, Sequence = ++sequence, NodeId = nodeId, OccurredAt = when,
            Ended = new CallEnded { HangupBy = HangupBy.System, Reason = Reason, Direction = Direction },
        };
    }

    /// <summary>The mirror's text form: <c>direction|phase|queuedAtMs|lastSequence|lastAtMs|queue</c> (queue last: any text).</summary>
    public string Format() => string.Join('|', ((int)Direction).ToString(CultureInfo.InvariantCulture), Phase,
        QueuedAtMs.ToString(CultureInfo.InvariantCulture), LastSequence.ToString(CultureInfo.InvariantCulture),
        LastAtMs.ToString(CultureInfo.InvariantCulture), Queue);

    /// <summary>Reads <see cref="Format"/>'s text back; null when it is not one (a damaged entry is skipped, not fatal).</summary>
    public static OpenCallRecord? Parse(string callId, string text)
    {
        var p = text.Split('|', 6);
        if (p.Length != 6 || !int.TryParse(p[0], CultureInfo.InvariantCulture, out var dir) || !long.TryParse(p[2], CultureInfo.InvariantCulture, out var queuedAt) ||
            !ulong.TryParse(p[3], CultureInfo.InvariantCulture, out var seq) || !long.TryParse(p[4], CultureInfo.InvariantCulture, out var lastAt))
            return null;
        return new OpenCallRecord(callId, (CallDirection)dir, p[1], p[5], queuedAt, seq, lastAt);
    }
}
