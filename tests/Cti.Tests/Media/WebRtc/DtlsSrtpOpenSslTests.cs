using System.Net;
using System.Net.Sockets;
using Hotline.Cti.Media.Srtp;
using Hotline.Cti.Media.WebRtc.Dtls;
using Hotline.TestSupport;

namespace Hotline.Cti.Tests.Media.WebRtc;

/// <summary>
/// DTLS-SRTP (RFC 5763/5764) as the DTLS server against a real peer: Debian's <c>openssl s_client -dtls1_2
/// -use_srtp</c> with its own certificate. Both sides export <c>EXTRACTOR-dtls_srtp</c>; the SRTP master keys and
/// salts we derive must be exactly openssl's, split as RFC 5764 §4.2 says. A client whose certificate is not the one
/// its SDP fingerprint names is refused.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DtlsSrtpOpenSslTests
{
    private string _work = null!;
    private string _clientCert = null!;
    private string _clientKey = null!;
    private string _clientFingerprint = null!;
    private static readonly DtlsCertificate Ours = DtlsCertificate.Generate(TimeProvider.System);

    [OneTimeSetUp]
    public async Task MakeTheClientCertificateAsync()
    {
        _work = Directory.CreateTempSubdirectory("hotline-dtls-").FullName;
        _clientCert = Path.Combine(_work, "client.crt");
        _clientKey = Path.Combine(_work, "client.key");
        await using (var req = PeerProcess.Start("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", _clientKey, "-out", _clientCert, "-subj", "/CN=browser", "-days", "1"]))
            Assert.That(await req.Exited.WaitAsync(TimeSpan.FromSeconds(30)), Is.Zero, req.Output);
        await using var fp = PeerProcess.Start("openssl", ["x509", "-in", _clientCert, "-noout", "-fingerprint", "-sha256"]);
        var line = await fp.WaitForLineAsync(l => l.Contains("Fingerprint=", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(30));
        _clientFingerprint = line[(line.IndexOf('=') + 1)..].Trim();
    }

    [OneTimeTearDown]
    public void Clean() => Directory.Delete(_work, recursive: true);

    [Test]
    public async Task Openssl_and_we_export_the_same_srtp_keys()
    {
        await using var peer = new Harness(Ours, _clientFingerprint);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var client = peer.StartOpenSsl(_clientCert, _clientKey);
        var keying = await peer.Handshake.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        TestContext.Out.WriteLine($"DTLS-SRTP handshake with openssl (process start included): {started.ElapsedMilliseconds} ms");
        var line = await client.WaitForLineAsync(l => l.Contains("Keying material:", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        var material = Convert.FromHexString(line[(line.IndexOf(':') + 1)..].Trim());
        Assert.That(material, Has.Length.EqualTo(60));
        Assert.Multiple(() =>
        {
            Assert.That(keying.Suite, Is.EqualTo(SrtpSuite.AesCm128HmacSha1_80));
            Assert.That(keying.Remote.Key.ToArray(), Is.EqualTo(material[..16]), "the peer (DTLS client) sends with client_write_SRTP_master_key");
            Assert.That(keying.Local.Key.ToArray(), Is.EqualTo(material[16..32]), "we (DTLS server) send with server_write_SRTP_master_key");
            Assert.That(keying.Remote.Salt.ToArray(), Is.EqualTo(material[32..46]));
            Assert.That(keying.Local.Salt.ToArray(), Is.EqualTo(material[46..60]));
        });
        Assert.That(client.Output, Does.Contain("SRTP Extension negotiated, profile=SRTP_AES128_CM_SHA1_80"));
    }

    [Test]
    public async Task A_client_whose_certificate_is_not_the_sdp_fingerprint_is_refused()
    {
        await using var peer = new Harness(Ours, Ours.Fingerprint); // expects some other certificate
        await using var client = peer.StartOpenSsl(_clientCert, _clientKey);
        var e = Assert.ThrowsAsync<IOException>(() => peer.Handshake.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.That(e!.Message, Does.Contain("a=fingerprint"));
    }

    [Test]
    public void Our_fingerprint_is_sdp_sha256_form() =>
        Assert.That(Ours.Fingerprint, Does.Match("^([0-9A-F]{2}:){31}[0-9A-F]{2}$"));

    /// <summary>A UDP socket on loopback whose datagrams feed the handshake, as the media socket's receive loop does.</summary>
    private sealed class Harness : IAsyncDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _receive;
        private EndPoint? _peer;

        public Harness(DtlsCertificate ours, string peerFingerprint)
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Handshake = new DtlsSrtpHandshake(ours, peerFingerprint, d => _socket.SendTo(d.Span, SocketFlags.None, _peer!));
            _receive = Task.Run(ReceiveAsync);
        }

        public DtlsSrtpHandshake Handshake { get; }

        public PeerProcess StartOpenSsl(string cert, string key) => PeerProcess.Start("openssl", ["s_client", "-dtls1_2",
            "-connect", "127.0.0.1:" + ((IPEndPoint)_socket.LocalEndPoint!).Port, "-use_srtp", "SRTP_AES128_CM_SHA1_80",
            "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "60", "-cert", cert, "-key", key]);

        private async Task ReceiveAsync()
        {
            var buffer = new byte[2048];
            while (!_stop.IsCancellationRequested)
            {
                SocketReceiveFromResult r;
                try
                {
                    r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }
                _peer = r.RemoteEndPoint;
                if (Hotline.Cti.Media.WebRtc.MediaPacketDemux.Classify(buffer.AsSpan(0, r.ReceivedBytes)) == Hotline.Cti.Media.WebRtc.MediaPacketKind.Dtls)
                    Handshake.Deliver(buffer.AsSpan(0, r.ReceivedBytes));
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            Handshake.Dispose();
            _socket.Dispose();
            await _receive;
        }
    }
}
