using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Hotline.MediaBench;

/// <summary>
/// A loopback UDP socket standing in for callers' phones: counts RTP packets per SSRC and the sequence gaps
/// (packets lost or skipped). One blocking receive thread; no allocation per packet.
/// </summary>
internal sealed class UdpSink : IRtpCounter, IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Dictionary<uint, Stream> _streams = [];
    private readonly Thread _thread;
    private volatile bool _stopping;

    private sealed class Stream
    {
        public ushort LastSequence;
        public long Packets;
        public long Missing;
    }

    public UdpSink()
    {
        _socket.ReceiveBufferSize = 8 * 1024 * 1024;
        try
        {
            // SO_RCVBUFFORCE (Linux, root): past net.core.rmem_max, so a sink starved by a loaded machine buffers
            // ~2 s instead of overflowing; packets the sender really lost still show as gaps.
            _socket.SetRawSocketOption(1, 33, BitConverter.GetBytes(64 * 1024 * 1024));
        }
        catch (SocketException)
        {
        }
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.ReceiveTimeout = 200;
        _thread = new Thread(Run) { IsBackground = true, Name = "sink" };
        _thread.Start();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public (long Packets, long Missing, int Streams) Totals()
    {
        lock (_streams)
        {
            long p = 0, m = 0;
            foreach (var s in _streams.Values)
            {
                p += s.Packets;
                m += s.Missing;
            }
            return (p, m, _streams.Count);
        }
    }

    public void Reset()
    {
        lock (_streams)
            foreach (var s in _streams.Values)
            {
                s.Packets = 0;
                s.Missing = 0;
            }
    }

    private void Run()
    {
        var buffer = new byte[2048];
        while (!_stopping)
        {
            int n;
            try
            {
                n = _socket.Receive(buffer);
            }
            catch (SocketException)
            {
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            if (n < 12) continue;
            var seq = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2));
            var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(8));
            lock (_streams)
            {
                if (!_streams.TryGetValue(ssrc, out var s))
                {
                    _streams[ssrc] = new Stream { LastSequence = seq, Packets = 1 };
                    continue;
                }
                var delta = (ushort)(seq - s.LastSequence);
                if (delta is > 1 and < 1000) s.Missing += delta - 1;
                if (delta is > 0 and < 1000) s.LastSequence = seq;
                s.Packets++;
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _socket.Dispose();
        _thread.Join();
    }
}
