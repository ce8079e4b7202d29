using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Hotline.Cti.Media.Rtp;

/// <summary>
/// Hands out RTP/RTCP socket pairs from <c>Rtp:PortMin</c>–<c>Rtp:PortMax</c>: an even port for RTP and the next
/// odd one for RTCP (RFC 3550 §11). The pair is chosen at random (RFC 3550 §9.1 / RFC 3711 §9 spirit: an outsider
/// cannot guess the next call's port and spray it), which also keeps a just-freed port from being reused at once.
/// <c>Rtp:ReservedPercent</c> of the pairs are kept for privileged callers (authenticated accounts, the engine's own
/// legs). Ports used by other programs are skipped.
/// </summary>
public sealed class RtpPortAllocator
{
    private readonly IPAddress _bindAddress;
    private readonly int _first;
    private readonly int _pairs;
    private readonly int _reserved;
    private readonly bool[] _inUse;
    private readonly Lock _gate = new();

    public RtpPortAllocator(RtpOptions options)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors), nameof(options));
        _bindAddress = IPAddress.Parse(options.BindAddress);
        _first = options.PortMin % 2 == 0 ? options.PortMin : options.PortMin + 1;
        _pairs = (options.PortMax - _first + 1) / 2;
        _reserved = _pairs * options.ReservedPercent / 100;
        _inUse = new bool[_pairs];
    }

    /// <summary>How many pairs are handed out now.</summary>
    public int InUse { get; private set; }

    /// <summary>Pairs in the range.</summary>
    public int Capacity => _pairs;

    /// <summary>Pairs only privileged callers may take.</summary>
    public int Reserved => _reserved;

    /// <summary>
    /// Binds a free pair chosen at random. Unprivileged callers (unauthenticated public calls) may not take the last
    /// <see cref="Reserved"/> pairs. Throws <see cref="InvalidOperationException"/> when none is left for the caller.
    /// </summary>
    public RtpEndpoint Allocate(bool privileged = true)
    {
        lock (_gate)
        {
            if (!privileged && _pairs - InUse <= _reserved)
                throw new InvalidOperationException($"No RTP port pair left outside the {_reserved} reserved for authenticated calls (Rtp:ReservedPercent).");
            var start = RandomNumberGenerator.GetInt32(_pairs);
            for (var tried = 0; tried < _pairs; tried++)
            {
                var index = (start + tried) % _pairs;
                if (_inUse[index]) continue;
                var port = _first + (2 * index);
                var rtp = TryBind(port);
                if (rtp is null) continue;
                var rtcp = TryBind(port + 1);
                if (rtcp is null)
                {
                    rtp.Dispose();
                    continue;
                }
                _inUse[index] = true;
                InUse++;
                return new RtpEndpoint(this, rtp, rtcp, port);
            }
        }
        throw new InvalidOperationException(
            $"No free RTP port pair between {_first} and {_first + (2 * _pairs) - 1}: widen Rtp:PortMin/Rtp:PortMax.");
    }

    internal void Release(int port)
    {
        lock (_gate)
        {
            var index = (port - _first) / 2;
            if (!_inUse[index]) return;
            _inUse[index] = false;
            InUse--;
        }
    }

    private Socket? TryBind(int port)
    {
        var socket = new Socket(_bindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(_bindAddress, port));
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }
}

/// <summary>A bound RTP socket and its RTCP companion; disposing returns the ports to the allocator.</summary>
public sealed class RtpEndpoint : IDisposable
{
    private readonly RtpPortAllocator? _owner;
    private int _disposed;

    internal RtpEndpoint(RtpPortAllocator? owner, Socket rtp, Socket rtcp, int port)
    {
        _owner = owner;
        Rtp = rtp;
        Rtcp = rtcp;
        Port = port;
    }

    public Socket Rtp { get; }
    public Socket Rtcp { get; }
    public int Port { get; }
    public IPEndPoint LocalEndPoint => (IPEndPoint)Rtp.LocalEndPoint!;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Rtp.Dispose();
        Rtcp.Dispose();
        _owner?.Release(Port);
    }
}
