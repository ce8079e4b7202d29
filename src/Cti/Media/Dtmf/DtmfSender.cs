using System.Collections.Concurrent;

namespace Hotline.Cti.Media.Dtmf;

/// <summary>
/// Sends queued digits as RFC 4733 telephone-events, one packet per tick. RFC 4733 §2.5.1: every packet of an event
/// carries the event's start timestamp and the duration so far; the first has the marker bit; the end packet is
/// sent three times (§2.5.1.4). Between digits a 60 ms gap lets receivers separate repeated keys.
/// </summary>
internal sealed class DtmfSender
{
    private const int EndRepeats = 3;
    private const int GapTicks = 3;
    private readonly ConcurrentQueue<(byte Event, int Ticks)> _queue = new();
    private bool _active;
    private byte _event;
    private int _ticksTotal;
    private int _ticksSent;
    private int _endsSent;
    private int _gap;
    private uint _startTimestamp;

    public void Enqueue(char digit, int durationMs)
    {
        var code = TelephoneEvent.FromDigit(digit)
            ?? throw new ArgumentException($"'{digit}' is not a DTMF digit (0-9, *, #, A-D).", nameof(digit));
        var ticks = Math.Clamp(durationMs, 40, 5000) / AudioFormat.FrameMilliseconds;
        _queue.Enqueue((code, ticks));
    }

    public bool IsBusy => _active || _gap > 0 || !_queue.IsEmpty;

    /// <summary>
    /// For this tick: true with the event payload when a telephone-event packet is due (instead of audio);
    /// <paramref name="repeats"/> copies to send (3 for the end packet).
    /// </summary>
    /// <remarks><paramref name="timestampPerFrame"/> is the stream's RTP timestamp step per 20 ms tick (RFC 4733 §2.5.1.3:
    /// the duration is in the audio's clock; 160 for G.711, 960 for Opus).</remarks>
    public bool Next(uint timestamp, Span<byte> payload, out bool marker, out uint eventTimestamp, out int repeats,
        int timestampPerFrame = AudioFormat.SamplesPerFrame)
    {
        marker = false;
        eventTimestamp = 0;
        repeats = 1;
        if (!_active)
        {
            if (_gap > 0) { _gap--; return false; }
            if (!_queue.TryDequeue(out var next)) return false;
            _active = true;
            _event = next.Event;
            _ticksTotal = Math.Max(next.Ticks, 2);
            _ticksSent = 0;
            _endsSent = 0;
            _startTimestamp = timestamp;
            marker = true;
        }
        eventTimestamp = _startTimestamp;
        _ticksSent++;
        var end = _ticksSent >= _ticksTotal;
        var duration = (ushort)Math.Min(_ticksSent * timestampPerFrame, ushort.MaxValue);
        new TelephoneEvent(_event, end, 10, duration).Write(payload);
        if (end)
        {
            repeats = EndRepeats - _endsSent;
            _active = false;
            _gap = GapTicks;
        }
        return true;
    }
}
