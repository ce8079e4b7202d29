using System.Runtime.CompilerServices;

namespace Hotline.Cti.Media.Rtp;

/// <summary>
/// Counters of one RTP session (RFC 3550 §6.4 / §A.3): what we sent, what we received, loss by sequence gaps,
/// and what the peer reported about our stream in its RTCP. Written by one thread each side; read for figures.
/// </summary>
public sealed class RtpStatistics
{
    private long _packetsSent;
    private long _octetsSent;
    private long _sendErrors;
    private long _packetsReceived;
    private long _strayPackets;
    private long _rtcpReceived;
    private long _rtcpSent;
    private bool _haveSequence;
    private ushort _baseSequence;
    private ushort _maxSequence;
    private int _cycles;
    private long _expectedPrior;
    private long _receivedPrior;

    public long PacketsSent => Interlocked.Read(ref _packetsSent);
    public long OctetsSent => Interlocked.Read(ref _octetsSent);
    public long SendErrors => Interlocked.Read(ref _sendErrors);
    public long PacketsReceived => Interlocked.Read(ref _packetsReceived);

    /// <summary>Packets from an address other than the latched one (ignored).</summary>
    public long StrayPackets => Interlocked.Read(ref _strayPackets);
    public long RtcpReceived => Interlocked.Read(ref _rtcpReceived);
    public long RtcpSent => Interlocked.Read(ref _rtcpSent);

    /// <summary>SRTP/SRTCP packets dropped (bad tag or wrong key, replay, malformed).</summary>
    public Srtp.SrtpDropCounters SrtpDrops { get; } = new();

    /// <summary>The peer's SSRC (the subject of our reception report).</summary>
    public uint RemoteSsrc { get; internal set; }

    /// <summary>The last RTP timestamp we sent (for the SR).</summary>
    public uint LastSentTimestamp { get; private set; }

    /// <summary>RFC 3550 §A.3: expected minus received, from sequence numbers (never negative here).</summary>
    public long PacketsLost
    {
        get
        {
            lock (this) return Math.Max(0, Expected - _packetsReceived);
        }
    }

    /// <summary>The peer's last report about our stream: fraction lost (0–255/256) and cumulative lost.</summary>
    public (byte FractionLost, int CumulativeLost)? RemoteReport { get; internal set; }

    /// <summary>Middle 32 bits of the NTP time of the peer's last SR, and when we got it (RFC 3550 §6.4.1 LSR/DLSR).</summary>
    internal (uint Lsr, long ReceivedAt)? LastSenderReport { get; set; }

    private long Expected => _haveSequence ? ((long)_cycles << 16) + _maxSequence - _baseSequence + 1 : 0;

    internal uint ExtendedHighestSequence
    {
        get
        {
            lock (this) return (uint)(_cycles << 16) | _maxSequence;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void OnSent(int payloadLength, uint timestamp)
    {
        Interlocked.Increment(ref _packetsSent);
        Interlocked.Add(ref _octetsSent, payloadLength);
        LastSentTimestamp = timestamp;
    }

    internal void OnSendError() => Interlocked.Increment(ref _sendErrors);

    internal void OnStray() => Interlocked.Increment(ref _strayPackets);

    internal void OnRtcpReceived() => Interlocked.Increment(ref _rtcpReceived);

    internal void OnRtcpSent() => Interlocked.Increment(ref _rtcpSent);

    internal void OnReceived(ushort sequence)
    {
        lock (this)
        {
            _packetsReceived++;
            if (!_haveSequence)
            {
                _haveSequence = true;
                _baseSequence = sequence;
                _maxSequence = sequence;
                return;
            }
            var delta = (ushort)(sequence - _maxSequence);
            // RFC 3550 §A.1: in order with a permissible gap advances max; a wrap adds a cycle; older packets are late.
            if (delta is > 0 and < 3000)
            {
                if (sequence < _maxSequence) _cycles++;
                _maxSequence = sequence;
            }
        }
    }

    /// <summary>RFC 3550 §A.3 fraction lost since the last report and cumulative lost, for our RR block.</summary>
    internal (byte Fraction, int Cumulative) TakeReceptionReport()
    {
        lock (this)
        {
            var expected = Expected;
            var expectedInterval = expected - _expectedPrior;
            var receivedInterval = _packetsReceived - _receivedPrior;
            _expectedPrior = expected;
            _receivedPrior = _packetsReceived;
            var lostInterval = expectedInterval - receivedInterval;
            var fraction = expectedInterval == 0 || lostInterval <= 0 ? 0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
            var cumulative = (int)Math.Clamp(expected - _packetsReceived, 0, 0x7FFFFF);
            return ((byte)fraction, cumulative);
        }
    }
}
