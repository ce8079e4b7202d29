using Hotline.Cti.Media.Srtp;
using Org.BouncyCastle.Tls;

namespace Hotline.Cti.Media.WebRtc.Dtls;

/// <summary>
/// One leg's DTLS-SRTP handshake, as the server or the client (<see cref="DtlsRole"/>), run on its own long-running thread: BouncyCastle's DTLS is blocking,
/// and it must never run on the media clock threads or the socket's receive loop (which only hands records in with
/// <see cref="Deliver"/>). Completes with the SRTP keys, or faults with the reason (bad fingerprint, no use_srtp,
/// timeout after <see cref="DtlsSrtpServer.GetHandshakeTimeoutMillis"/>).
/// </summary>
public sealed class DtlsSrtpHandshake : IDisposable
{
    private readonly DtlsPacketChannel _channel;
    private readonly DtlsCertificate _certificate;
    private readonly string _peerFingerprint;
    private readonly DtlsRole _role;
    private DtlsTransport? _transport;

    /// <summary>
    /// Starts the handshake thread; <c>send</c> sends one datagram to the peer (the ICE-selected address) from the
    /// media socket. As the client it sends the ClientHello at once.
    /// </summary>
    public DtlsSrtpHandshake(DtlsCertificate certificate, string peerFingerprint, Action<ReadOnlyMemory<byte>> send, DtlsRole role = DtlsRole.Server)
    {
        _channel = new DtlsPacketChannel(send);
        _certificate = certificate;
        _peerFingerprint = peerFingerprint;
        _role = role;
        // The server (its crypto provider and CSPRNG) is made on the handshake thread: the caller (the receive loop)
        // only queues records.
        Completion = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The SRTP keys (ours = our role's write keys, RFC 5764 §4.2).</summary>
    public Task<SrtpKeying> Completion { get; }

    /// <summary>A DTLS record from the peer (RFC 7983 demultiplexed); false when dropped. Never blocks.</summary>
    public bool Deliver(ReadOnlySpan<byte> record) => _channel.Deliver(record);

    private SrtpKeying Run() => _role == DtlsRole.Client ? RunClient() : RunServer();

    private SrtpKeying RunServer()
    {
        var server = new DtlsSrtpServer(_certificate, _peerFingerprint);
        try
        {
            _transport = new DtlsServerProtocol().Accept(server, _channel);
            return server.Keying ?? throw new IOException("DTLS completed without SRTP keys");
        }
        catch (TlsFatalAlert e)
        {
            throw new IOException("DTLS-SRTP handshake failed: " + (server.Failure ?? AlertDescription.GetText(e.AlertDescription)), e);
        }
        catch (TlsTimeoutException e)
        {
            throw new IOException("DTLS-SRTP handshake timed out", e);
        }
    }

    private SrtpKeying RunClient()
    {
        var client = new DtlsSrtpClient(_certificate, _peerFingerprint);
        try
        {
            _transport = new DtlsClientProtocol().Connect(client, _channel);
            return client.Keying ?? throw new IOException("DTLS completed without SRTP keys");
        }
        catch (TlsFatalAlert e)
        {
            throw new IOException("DTLS-SRTP handshake (client) failed: " + (client.Failure ?? AlertDescription.GetText(e.AlertDescription)), e);
        }
        catch (TlsTimeoutException e)
        {
            throw new IOException("DTLS-SRTP handshake (client) timed out", e);
        }
    }

    public void Dispose()
    {
        _channel.Close();
        try
        {
            _transport?.Close();
        }
        catch (IOException)
        {
        }
    }
}
