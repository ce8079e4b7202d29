namespace Hotline.Cti.Media.Dtmf;

/// <summary>
/// Turns a stream of RFC 4733 telephone-event packets into key presses, each reported exactly once.
/// RFC 4733 §2.5.1.3: all packets of one event share its RTP timestamp, so the timestamp is the event's identity;
/// the end packet is sent three times (§2.5.1.4) and retransmitted packets may arrive in any order.
/// A digit is reported at its first end packet, or — if every end packet was lost — when the next event starts or
/// when no update came for <see cref="LostEndTimeoutTicks"/> ticks.
/// </summary>
public sealed class DtmfReceiver
{
    /// <summary>The event's RTP clock (RFC 4733 §2.1: the audio's; 8000 for G.711, 48000 with Opus), for durations in ms.</summary>
    public int ClockRate { get; set; } = AudioFormat.SampleRate;

    /// <summary>1 s of 20 ms ticks without an update ends an event whose end packets were lost.</summary>
    public const int LostEndTimeoutTicks = 50;

    private bool _active;
    private bool _reported;
    private uint _timestamp;
    private byte _event;
    private ushort _duration;
    private long _lastUpdateTick;
    private bool _hasLastReported;
    private uint _lastReportedTimestamp;

    /// <summary>An event started and was not reported yet (the lost-end timer is running).</summary>
    public bool IsInProgress => _active && !_reported;

    /// <summary>Feeds one telephone-event packet. Returns a digit and its duration (ms) when one is completed.</summary>
    public bool OnPacket(uint rtpTimestamp, ReadOnlySpan<byte> payload, long tick, out char digit, out int durationMs)
    {
        digit = default;
        durationMs = 0;
        if (!TelephoneEvent.TryParse(payload, out var ev)) return false;
        var result = false;
        if (!_active || rtpTimestamp != _timestamp)
        {
            // A retransmitted end of the event we already reported: ignore.
            if (_hasLastReported && rtpTimestamp == _lastReportedTimestamp) return false;
            // A new event while the previous one never saw its end: report the previous now.
            result = FlushUnreported(out digit, out durationMs);
            _active = true;
            _reported = false;
            _timestamp = rtpTimestamp;
            _event = ev.Event;
            _duration = 0;
        }
        _lastUpdateTick = tick;
        if (ev.Duration > _duration) _duration = ev.Duration;
        if (ev.End && !_reported)
        {
            if (result) return true; // Rare: flush and end in one packet; the end is seen again on retransmit.
            return Report(out digit, out durationMs);
        }
        return result;
    }

    /// <summary>Called each tick: ends an event whose end packets were all lost.</summary>
    public bool OnTick(long tick, out char digit, out int durationMs)
    {
        if (_active && !_reported && tick - _lastUpdateTick >= LostEndTimeoutTicks)
            return Report(out digit, out durationMs);
        digit = default;
        durationMs = 0;
        return false;
    }

    private bool FlushUnreported(out char digit, out int durationMs)
    {
        if (_active && !_reported) return Report(out digit, out durationMs);
        digit = default;
        durationMs = 0;
        return false;
    }

    private bool Report(out char digit, out int durationMs)
    {
        _reported = true;
        _hasLastReported = true;
        _lastReportedTimestamp = _timestamp;
        durationMs = (int)((long)_duration * 1000 / ClockRate);
        var d = TelephoneEvent.ToDigit(_event);
        digit = d ?? default;
        return d.HasValue; // Non-DTMF events (e.g. 16 flash) are swallowed.
    }
}
