using System.Net;
using System.Net.Sockets;
using Hotline.Cti.Media.Srtp;
using Hotline.Cti.Media.WebRtc.Dtls;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Media.WebRtc;

/// <summary>
/// The ICE-lite and DTLS-SRTP side of one WebRTC media session, on the session's one RTP socket (RFC 7983 demux,
/// RFC 5761 rtcp-mux). The receive loop hands it STUN packets (answered at once from a reused buffer) and DTLS
/// records (queued for the handshake's own thread: <see cref="DtlsSrtpHandshake"/>). DTLS is accepted only from an
/// address that passed an ICE check with our credentials (RFC 8445 §7.3: that is the browser's consent); as the DTLS
/// server the handshake is started by the first such record, as the client (the peer said <c>a=setup:passive</c>)
/// by the first such check, so a leg that is never answered costs no thread. When the
/// handshake completes, <see cref="KeysReady"/> gets the exported SRTP keys (RFC 5764 §4.2) — media flows from then on.
/// </summary>
public sealed partial class WebRtcTransport : IDisposable
{
    private readonly WebRtcPeer _peer;
    private readonly Socket _socket;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IceLiteResponder _ice;
    private readonly byte[] _stunResponse = new byte[512];
    // The addresses that passed a check (the browser checks from each of its candidates; a handful at most).
    private readonly SocketAddress?[] _consented = new SocketAddress?[MaxConsented];
    private const int MaxConsented = 8;
    private SocketAddress? _checked;
    private IPEndPoint? _checkedEndPoint;
    private SocketAddress? _nominated;
    private SocketAddress? _dtlsPeer;
    private long _nominatedAt;
    private long _firstDtlsAt;
    private DtlsSrtpHandshake? _handshake;
    private long _startedAt;
    private long _checkedAt;
    private long _keysAt;
    private int _disposed;

    public WebRtcTransport(WebRtcPeer peer, Socket socket, TimeProvider time, ILogger logger)
    {
        _peer = peer;
        _socket = socket;
        _time = time;
        _logger = logger;
        _ice = new IceLiteResponder(peer.Local.Ice, peer.RemoteUfrag);
    }

    public WebRtcPeer Peer => _peer;

    /// <summary>The SRTP keys and the media destination (the ICE-selected address), once DTLS completed. Raised once, on the thread pool.</summary>
    public event Action<SrtpKeying, SocketAddress>? KeysReady;

    /// <summary>Where media goes: the nominated pair's remote address, else the address the DTLS handshake came from.</summary>
    public SocketAddress? Destination => Volatile.Read(ref _nominated) ?? Volatile.Read(ref _dtlsPeer);

    /// <summary>The moment media started (the 200 OK sent or received): the zero of the timings logged.</summary>
    public void MarkStart() => _startedAt = _time.GetTimestamp();

    /// <summary>
    /// One STUN packet from the receive loop: answered from the same socket. Returns true when the nominated
    /// address changed (the session then sends media there). Nothing is allocated unless the source is new.
    /// </summary>
    public bool OnStun(ReadOnlySpan<byte> packet, SocketAddress from)
    {
        var source = EndPointOf(from);
        var outcome = _ice.Handle(packet, source, _stunResponse, out var written);
        if (written > 0)
        {
            try
            {
                _socket.SendTo(_stunResponse.AsSpan(0, written), SocketFlags.None, from);
            }
            catch (SocketException)
            {
                // The browser's port went away (ICMP): it will retry or give up; nothing to do here.
            }
        }
        if (outcome is not (IceCheckOutcome.Answered or IceCheckOutcome.Nominated)) return false;
        if (_checkedAt == 0) _checkedAt = _time.GetTimestamp();
        if (_checked is null || !_checked.Equals(from))
        {
            var copy = Copy(from);
            Volatile.Write(ref _checked, copy);
            Consent(copy);
        }
        // The DTLS client (the peer said a=setup:passive) connects once the peer proved it knows our ice-pwd, to that
        // address (RFC 5763 §5: the active side sends the ClientHello; RFC 8445 §7.3: only with consent).
        if (_peer.Role == DtlsRole.Client && _handshake is null && Volatile.Read(ref _disposed) == 0 && _checked is { } consented)
            StartClientHandshake(consented);
        if (outcome != IceCheckOutcome.Nominated || (_nominated is { } n && n.Equals(from))) return false;
        if (_nominatedAt == 0) _nominatedAt = _time.GetTimestamp();
        Volatile.Write(ref _nominated, Copy(from));
        return true;
    }

    private void Consent(SocketAddress address)
    {
        for (var i = 0; i < MaxConsented; i++)
        {
            if (_consented[i] is { } known && known.Equals(address)) return;
            if (_consented[i] is null)
            {
                Volatile.Write(ref _consented[i], address);
                return;
            }
        }
        // More candidates than we keep: the oldest slot goes (the browser's selected pair keeps checking, RFC 7675).
        Array.Copy(_consented, 1, _consented, 0, MaxConsented - 1);
        Volatile.Write(ref _consented[MaxConsented - 1], address);
    }

    private SocketAddress? Consented(SocketAddress from)
    {
        foreach (var known in _consented)
            if (known is not null && known.Equals(from)) return known;
        return null;
    }

    /// <summary>One DTLS record from the receive loop: queued for the handshake thread (started by the first one). Never blocks.</summary>
    public void OnDtls(ReadOnlySpan<byte> record, SocketAddress from)
    {
        // RFC 8445 §7.3 / RFC 8826 §4.2: only a peer that proved it knows our ice-pwd (consent) may talk DTLS to us.
        if (Consented(from) is not { } consented || Volatile.Read(ref _disposed) != 0) return;
        if (_firstDtlsAt == 0) _firstDtlsAt = _time.GetTimestamp();
        // The handshake answers where the client's records come from (its selected pair; RFC 5764 §5.1.1: one association).
        if (!ReferenceEquals(_dtlsPeer, consented)) Volatile.Write(ref _dtlsPeer, consented);
        if (_handshake is null)
        {
            // As the client we start on the first check, never on the peer's record (a server does not speak first).
            if (_peer.Role == DtlsRole.Client) return;
            _handshake = new DtlsSrtpHandshake(_peer.Local.Certificate, _peer.RemoteFingerprint, SendDtls);
            _handshake.Completion.ContinueWith(OnHandshakeEnded, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
        if (_logger.IsEnabled(LogLevel.Debug)) LogRecord(_logger, "in", record.Length, record[0], Ms(_time.GetTimestamp()));
        _handshake.Deliver(record);
    }

    // On the receive loop (one thread per socket): starts the client's handshake thread, which sends the ClientHello.
    private void StartClientHandshake(SocketAddress to)
    {
        Volatile.Write(ref _dtlsPeer, to);
        _firstDtlsAt = _time.GetTimestamp();
        LogClientRole(_logger, _socket.LocalEndPoint?.ToString() ?? "");
        _handshake = new DtlsSrtpHandshake(_peer.Local.Certificate, _peer.RemoteFingerprint, SendDtls, DtlsRole.Client);
        _handshake.Completion.ContinueWith(OnHandshakeEnded, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>Logged once when the first authenticated SRTP packet arrived: the figures of issue 18.</summary>
    public void OnFirstSrtp(int port)
    {
        var now = _time.GetTimestamp();
        LogReady(_logger, port, Ms(_checkedAt), Ms(_nominatedAt), Ms(_firstDtlsAt), Ms(_keysAt), Ms(now));
    }

    private double Ms(long at) => at == 0 || _startedAt == 0 ? -1 : Math.Round(_time.GetElapsedTime(_startedAt, at).TotalMilliseconds, 1);

    private void SendDtls(ReadOnlyMemory<byte> datagram)
    {
        if (Volatile.Read(ref _dtlsPeer) is not { } to) return; // cannot happen: the handshake starts from a consented address
        if (_logger.IsEnabled(LogLevel.Debug)) LogRecord(_logger, "out", datagram.Length, datagram.Span[0], Ms(_time.GetTimestamp()));
        try
        {
            _socket.SendTo(datagram.Span, SocketFlags.None, to);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Lost like any datagram: DTLS retransmits its flights (RFC 6347 §4.2.4).
        }
    }

    private void OnHandshakeEnded(Task<SrtpKeying> task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            if (Volatile.Read(ref _disposed) == 0) LogFailed(_logger, _socket.LocalEndPoint?.ToString() ?? "", task.Exception?.GetBaseException().Message ?? "cancelled");
            return;
        }
        _keysAt = _time.GetTimestamp();
        if (Destination is { } to) KeysReady?.Invoke(task.Result, to);
    }

    private IPEndPoint EndPointOf(SocketAddress from)
    {
        if (_checkedEndPoint is { } cached && _checked is { } checkedAddress && checkedAddress.Equals(from)) return cached;
        var endPoint = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(from);
        if (_checked is { } c && c.Equals(from)) _checkedEndPoint = endPoint;
        else _checkedEndPoint = null;
        return endPoint;
    }

    private static SocketAddress Copy(SocketAddress from)
    {
        var copy = new SocketAddress(from.Family, from.Size);
        from.Buffer.Span[..from.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _handshake?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "WebRTC media on {Port}: first ICE check {CheckMs} ms, nominated {NominatedMs} ms, first DTLS record {DtlsMs} ms, DTLS-SRTP keys {KeysMs} ms, first SRTP from the browser {FirstSrtpMs} ms after the media start")]
    private static partial void LogReady(ILogger logger, int port, double checkMs, double nominatedMs, double dtlsMs, double keysMs, double firstSrtpMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "DTLS {Direction}: {Length} bytes, content type {ContentType}, {Ms} ms after the media start")]
    private static partial void LogRecord(ILogger logger, string direction, int length, byte contentType, double ms);

    [LoggerMessage(Level = LogLevel.Information, Message = "WebRTC media on {Socket}: the peer is DTLS passive (RFC 5763), we connect as the DTLS client")]
    private static partial void LogClientRole(ILogger logger, string socket);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WebRTC media on {Socket}: DTLS-SRTP handshake failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string socket, string reason);
}
