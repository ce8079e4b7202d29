using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Grpc.Core;
using Hotline.Contracts.V1;
using Hotline.TestSupport;
using Hotline.Tls;
using Microsoft.Extensions.Logging;

namespace Hotline.AcdEngine.Tests.Hosting;

/// <summary>
/// The engine's gRPC client (the channel the ingest publisher uses) against a real TLS server on loopback: it refuses
/// an expired, a self-signed-unknown and a wrong-host certificate with a clear log line, and completes the
/// handshake with a certificate from the configured CA bundle.
/// </summary>
public class GrpcTlsTests
{
    private static TestCertificates _certs = null!;

    [OneTimeSetUp]
    public void CreateCertificates() => _certs = new TestCertificates();

    [OneTimeTearDown]
    public void DeleteCertificates() => _certs.Dispose();

    private static IEnumerable<TestCaseData> Refused()
    {
        yield return new TestCaseData("expired", "expired on").SetName("An_expired_certificate_is_refused");
        yield return new TestCaseData("selfsigned", "self-signed and not in the configured CA bundle").SetName("A_self_signed_unknown_certificate_is_refused");
        yield return new TestCaseData("wronghost", "wrong host").SetName("A_wrong_host_certificate_is_refused");
    }

    [TestCaseSource(nameof(Refused))]
    public async Task Refused_certificates_fail_the_call_with_a_clear_log_line(string which, string reason)
    {
        var issued = which switch { "expired" => _certs.Expired, "selfsigned" => _certs.SelfSigned, _ => _certs.WrongHost };
        await using var server = new TlsServer(issued.Certificate);
        var log = new ListLogger();
        using var channel = HostTls.CreateChannel($"https://127.0.0.1:{server.Port}", new TlsOptions { CaBundlePath = _certs.CaBundlePath }, "TicketApi ingest", log);
        var client = new CallEventIngest.CallEventIngestClient(channel);
        var ex = Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = client.Publish(deadline: DateTime.UtcNow.AddSeconds(20));
            await call.RequestStream.WriteAsync(new IngestEnvelope());
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
        Assert.That(ex!.StatusCode, Is.AnyOf(StatusCode.Unavailable, StatusCode.Internal), "the call fails: no connection");
        Assert.That(log.Lines, Has.Some.Contains("TLS: refusing to connect to TicketApi ingest https://127.0.0.1").And.Contains(reason));
        Assert.That(await server.HandshakeSucceeded, Is.False);
    }

    [Test]
    public async Task A_certificate_from_the_ca_bundle_is_accepted()
    {
        await using var server = new TlsServer(_certs.Valid.Certificate);
        var log = new ListLogger();
        using var channel = HostTls.CreateChannel($"https://127.0.0.1:{server.Port}", new TlsOptions { CaBundlePath = _certs.CaBundlePath }, "TicketApi ingest", log);
        var client = new CallEventIngest.CallEventIngestClient(channel);
        try
        {
            using var call = client.Publish(deadline: DateTime.UtcNow.AddSeconds(5));
            await call.RequestStream.WriteAsync(new IngestEnvelope());
        }
        catch (Exception ex) when (ex is RpcException or IOException)
        {
            // The test server speaks TLS but not HTTP/2: only the handshake matters here. It closes the connection once
            // it has read the preface, so the write fails — as an RpcException, or, when the close lands while the
            // request's first frame is being written, as the HttpIOException itself (run 25).
        }
        Assert.That(await server.HandshakeSucceeded, Is.True);
        Assert.That(log.Lines, Has.None.Contains("refusing"));
    }

    /// <summary>A TLS listener (ALPN h2) that accepts one connection and reports whether the client went on to speak HTTP/2.</summary>
    private sealed class TlsServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Task<bool> _accept;

        public TlsServer(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
        {
            _listener.Start();
            _accept = AcceptAsync(certificate);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public Task<bool> HandshakeSucceeded => _accept;

        private async Task<bool> AcceptAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
        {
            using var tcp = await _listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(tcp.GetStream());
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = certificate,
                    ApplicationProtocols = [SslApplicationProtocol.Http2],
                });
                // TLS 1.3: our side finishes before the client has judged the certificate. The client accepted it
                // only if it goes on to send the HTTP/2 connection preface ("PRI * HTTP/2.0").
                var preface = new byte[3];
                await tls.ReadExactlyAsync(preface);
                return preface.AsSpan().SequenceEqual("PRI"u8);
            }
            catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException or EndOfStreamException)
            {
                return false;
            }
        }

        public ValueTask DisposeAsync()
        {
            _listener.Stop();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add(formatter(state, exception));
        }
    }
}
