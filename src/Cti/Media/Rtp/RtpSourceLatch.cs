using System.Net;
using System.Net.Sockets;

namespace Hotline.Cti.Media.Rtp;

/// <summary>What a leg does with one RTP packet.</summary>
public enum RtpSourceVerdict
{
    /// <summary>From the accepted source: play it.</summary>
    Accept,

    /// <summary>
    /// This packet made its source the accepted one (and where we send): it completed a run from a new source, or it
    /// came from the SDP address while another source was accepted.
    /// </summary>
    Latched,

    /// <summary>From another source: dropped (counted as stray).</summary>
    Reject,
}

/// <summary>
/// Which source address a leg takes media from. It starts with the address the SDP names (RFC 3264 §5, the
/// <c>c=</c>/<c>m=</c> pair) and accepts packets from it at once. Symmetric RTP behind NAT (RFC 4961, the peer's
/// packets arrive from a translated address) needs a re-latch: another source wins only with a run of
/// <see cref="RunLength"/> consecutive packets of one SSRC with consecutive sequence numbers (RFC 3550 §A.1),
/// spanning at least <see cref="MinimumRun"/>, with no packet from the accepted source meanwhile. Once the SDP address
/// itself has sent a packet the leg is locked to it (the peer is not behind a NAT that rewrites its address): no run
/// from elsewhere latches any more, however long the peer is silent or however late its packets come on a starved
/// machine, until a new SDP (<see cref="Reset"/>). A packet from the SDP address always wins back at once, even from
/// a source latched before the peer first spoke (an outsider spraying the port in the first moments of a call: the
/// "RTP bleed" of other stacks). One receive loop calls <see cref="OnPacket"/>; <see cref="Reset"/> (a new SDP) may
/// come from another thread, hence the lock. Nothing is allocated per packet: the candidate's address is copied into a buffer made
/// once; only a re-latch allocates.
/// </summary>
public sealed class RtpSourceLatch
{
    public const int RunLength = 8;
    public static readonly TimeSpan MinimumRun = TimeSpan.FromMilliseconds(120);
    private readonly Lock _gate = new();
    private readonly long _minimumRunTicks;
    private readonly SocketAddress _candidate;
    private SocketAddress? _accepted;
    private SocketAddress? _sdp;
    private bool _locked;
    private bool _hasCandidate;
    private uint _candidateSsrc;
    private ushort _candidateSequence;
    private int _run;
    private long _runStart;

    public RtpSourceLatch(AddressFamily family, long ticksPerSecond)
    {
        _candidate = new SocketAddress(family);
        _minimumRunTicks = (long)(MinimumRun.TotalSeconds * ticksPerSecond);
    }

    /// <summary>The source media is accepted from (and sent to): the SDP address, or the latched one; null before any.</summary>
    public SocketAddress? Accepted => Volatile.Read(ref _accepted);

    /// <summary>A new SDP address (initial answer, re-INVITE): accept it; forget any candidate run.</summary>
    public void Reset(SocketAddress? sdpAddress)
    {
        lock (_gate)
        {
            Volatile.Write(ref _accepted, sdpAddress);
            _sdp = sdpAddress;
            _locked = false;
            _hasCandidate = false;
            _run = 0;
        }
    }

    public RtpSourceVerdict OnPacket(SocketAddress from, uint ssrc, ushort sequence, long now)
    {
        lock (_gate)
        {
            if (_sdp is { } sdp && from.Equals(sdp))
            {
                // The address the peer signalled is talking: it is the source from now on, and nothing else latches.
                _run = 0;
                _hasCandidate = false;
                _locked = true;
                if (ReferenceEquals(_accepted, sdp)) return RtpSourceVerdict.Accept;
                Volatile.Write(ref _accepted, sdp);
                return RtpSourceVerdict.Latched;
            }
            if (_accepted is { } accepted && from.Equals(accepted))
            {
                _run = 0; // The real peer is talking: a run from elsewhere starts over.
                return RtpSourceVerdict.Accept;
            }
            if (_locked) return RtpSourceVerdict.Reject;
            if (_hasCandidate && _run > 0 && from.Equals(_candidate) && ssrc == _candidateSsrc && sequence == (ushort)(_candidateSequence + 1))
            {
                _candidateSequence = sequence;
                _run++;
                if (_run >= RunLength && now - _runStart >= _minimumRunTicks)
                {
                    var latched = new SocketAddress(from.Family, from.Size);
                    from.Buffer.Span[..from.Size].CopyTo(latched.Buffer.Span);
                    Volatile.Write(ref _accepted, latched);
                    _hasCandidate = false;
                    _run = 0;
                    return RtpSourceVerdict.Latched;
                }
                return RtpSourceVerdict.Reject;
            }
            // A new candidate (or a break in the old one's run): start counting from this packet.
            if (from.Size > _candidate.Size) return RtpSourceVerdict.Reject;
            _candidate.Size = from.Size;
            from.Buffer.Span[..from.Size].CopyTo(_candidate.Buffer.Span);
            _hasCandidate = true;
            _candidateSsrc = ssrc;
            _candidateSequence = sequence;
            _run = 1;
            _runStart = now;
            return RtpSourceVerdict.Reject;
        }
    }

    /// <summary>The accepted source as an endpoint (for logs and the API).</summary>
    public static IPEndPoint? ToEndPoint(SocketAddress? address) =>
        address is null ? null : (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address);
}
