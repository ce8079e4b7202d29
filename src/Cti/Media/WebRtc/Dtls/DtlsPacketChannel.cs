using System.Collections.Concurrent;
using Org.BouncyCastle.Tls;

namespace Hotline.Cti.Media.WebRtc.Dtls;

/// <summary>
/// BouncyCastle's view of the media socket during a handshake (<see cref="DatagramTransport"/>): the socket's
/// receive loop hands in the DTLS records it demultiplexed (RFC 7983, first byte 20-63) with <see cref="Deliver"/>,
/// which never blocks (a bounded queue: a flood of records is dropped, not buffered); BouncyCastle's handshake
/// thread takes them with a timeout and sends through <paramref name="send"/> (a sendto on the same socket).
/// </summary>
internal sealed class DtlsPacketChannel(Action<ReadOnlyMemory<byte>> send) : DatagramTransport
{
    /// <summary>Records waiting for the handshake thread; more than a flight's worth is an attack or a loop.</summary>
    private readonly BlockingCollection<byte[]> _incoming = new(new ConcurrentQueue<byte[]>(), 64);

    // RFC 8261 §5 / common WebRTC practice: keep records within 1200 bytes so no flight needs IP fragmentation.
    public int GetReceiveLimit() => 1500;

    public int GetSendLimit() => 1200;

    /// <summary>Called from the receive loop with one datagram (copied); false when dropped.</summary>
    public bool Deliver(ReadOnlySpan<byte> record) => !_incoming.IsAddingCompleted && _incoming.TryAdd(record.ToArray());

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        try
        {
            if (!_incoming.TryTake(out var record, waitMillis <= 0 ? Timeout.Infinite : waitMillis)) return -1;
            var n = Math.Min(record.Length, buffer.Length);
            record.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        catch (InvalidOperationException)
        {
            throw new TlsFatalAlert(AlertDescription.close_notify); // closed while waiting
        }
    }

    public void Send(byte[] buf, int off, int len) => send(buf.AsMemory(off, len).ToArray());

    public void Send(ReadOnlySpan<byte> buffer) => send(buffer.ToArray());

    public void Close() => _incoming.CompleteAdding();
}
