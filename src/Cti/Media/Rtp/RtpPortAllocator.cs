using System.Net;
using System.Net.Sockets;

namespace Hotline.Cti.Media.Rtp;

/// <summary>
/// Hands out RTP/RTCP socket pairs from <c>Rtp:PortMin</c>–<c>Rtp:PortMax</c>: an even port for RTP and the next
/// odd one for RTCP (RFC 3550 §11). Round-robin so a just-freed port is not reused at once (late packets of the
/// old call would latch the new one). Ports used by other programs are skipped.
/// </summary>
public sealed class RtpPortAllocator
{
    private readonly IPAddress _bindAddress;
    private readonly int _first;
    private readonly int _pairs;
    private readonly bool[] _inUse;
    private readonly Lock _gate = new();
    private int _next;

    public RtpPortAllocator(RtpOptions options)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors), nameof(options));
        _bindAddress = IPAddress.Parse(options.BindAddress);
        _first = options.PortMin % 2 == 0 ? options.PortMin : options.PortMin + 1;
        _pairs = (options.PortMax - _first + 1) / 2;
        _inUse = new bool[_pairs];
    }

    /// <summary>How many pairs are handed out now.</summary>
    public int InUse { get; private set; }

    /// <summary>Binds the next free pair. Throws <see cref="InvalidOperationException"/> when the range is exhausted.</summary>
    public RtpEndpoint Allocate()
    {
        lock (_gate)
        {
            for (var tried = 0; tried < _pairs; tried++)
            {
                var index = _next;
                _next = (_next + 1) % _pairs;
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
