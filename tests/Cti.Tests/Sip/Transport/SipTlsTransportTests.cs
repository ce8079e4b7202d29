using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;
using Hotline.Cti.Sip.UserAgent;
using Hotline.TestSupport;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Tests.Sip.Transport;

/// <summary>
/// SIP over TLS on real loopback sockets (issue 15): the listener serves a renewed certificate once its PEM files
/// change, without a restart; outbound TLS verifies the server against the target URI's host (RFC 5922 §4, §7.2),
/// not the address the host resolved to.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SipTlsTransportTests
{
    private TestCertificates _certs = null!;

    [OneTimeSetUp]
    public void CreateCertificates() => _certs = new TestCertificates();

    [OneTimeTearDown]
    public void DeleteCertificates() => _certs.Dispose();

    private SipTransportLayer Start(string certificatePath, string keyPath, ListLogger log)
    {
        var transport = new SipTransportLayer(new SipTransportOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            EnableTcp = false,
            TlsPort = 0,
            TlsCertificatePath = certificatePath,
            TlsKeyPath = keyPath,
            TlsCaBundlePath = _certs.CaBundlePath,
        }, SipParserLimits.Default, log);
        var ua = new SipUserAgent(transport, new SipUserAgentOptions(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<SipUserAgent>.Instance);
        transport.Start(ua.Receive);
        return transport;
    }

    [Test]
    public async Task The_listener_serves_a_renewed_certificate_after_its_pem_files_change()
    {
        var folder = Directory.CreateTempSubdirectory("hotline-siptls-").FullName;
        try
        {
            var certificatePath = Path.Combine(folder, "sip.crt");
            var keyPath = Path.Combine(folder, "sip.key");
            File.Copy(_certs.Valid.CertificatePath, certificatePath);
            File.Copy(_certs.Valid.KeyPath, keyPath);
            var log = new ListLogger();
            await using var transport = Start(certificatePath, keyPath, log);
            Assert.That(await ServedSerialAsync(transport.TlsPort!.Value), Is.EqualTo(_certs.Valid.Certificate.SerialNumber));

            // Rotation as an operator (or certbot) does it: new files over the old ones, no restart.
            var renewed = _certs.Issue("renewed", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(20), "localhost", IPAddress.Loopback);
            File.Copy(renewed.CertificatePath, certificatePath, overwrite: true);
            File.Copy(renewed.KeyPath, keyPath, overwrite: true);
            var later = DateTime.UtcNow.AddSeconds(2); // a distinct mtime even on coarse file systems
            File.SetLastWriteTimeUtc(certificatePath, later);
            File.SetLastWriteTimeUtc(keyPath, later);

            // The files are checked at most every 5 s, on a handshake: new connections see the renewed one soon after.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            string served;
            do
            {
                served = await ServedSerialAsync(transport.TlsPort.Value);
                if (served == renewed.Certificate.SerialNumber) break;
                await Task.Delay(250);
            }
            while (DateTime.UtcNow < deadline);
            Assert.That(served, Is.EqualTo(renewed.Certificate.SerialNumber), "the renewed certificate is served");
            Assert.That(log.Lines, Has.Some.Contains("reloaded"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IEnumerable<TestCaseData> Rfc5922()
    {
        // Certificate names the domain only: reached by domain → accepted (by the address it resolved to, it would not be).
        yield return new TestCaseData("localhost-only", "localhost", null, "localhost", true)
            .SetName("A_server_named_by_the_target_domain_is_accepted");
        // Certificate names the address and another domain: reached by domain → refused, the address is not the domain.
        yield return new TestCaseData("ip-only", "elsewhere.example", "127.0.0.1", "localhost", false)
            .SetName("A_server_that_names_only_the_resolved_address_is_refused_for_a_domain_uri");
        // An IP-literal URI (a registered contact) is verified against the address.
        yield return new TestCaseData("ip-literal", "elsewhere.example", "127.0.0.1", "127.0.0.1", true)
            .SetName("An_ip_literal_uri_is_verified_against_the_address");
    }

    [TestCaseSource(nameof(Rfc5922))]
    public async Task Outbound_tls_verifies_the_domain_of_the_target_uri(string name, string dns, string? ip, string uriHost, bool accepted)
    {
        var server = _certs.Issue(name, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), dns, ip is null ? null : IPAddress.Parse(ip));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = ReceiveFirstLineAsync(listener, server.Certificate);

        var log = new ListLogger();
        await using var transport = Start(_certs.Valid.CertificatePath, _certs.Valid.KeyPath, log);
        Assert.That(SipUri.TryParse($"sip:probe@{uriHost}:{port};transport=tls", out var uri), Is.True);
        var destination = SipAddressResolver.Resolve(uri!);
        Assert.That(destination.Address, Is.EqualTo(new IPEndPoint(IPAddress.Loopback, port)));
        transport.Send(Options(uri!), destination);

        var line = await received.WaitAsync(TimeSpan.FromSeconds(20));
        foreach (var l in log.Lines) TestContext.Out.WriteLine(l);
        if (accepted)
        {
            Assert.That(line, Does.StartWith("OPTIONS sip:probe@"), "the request went over the verified connection");
            Assert.That(log.Lines, Has.None.Contains("refusing"));
        }
        else
        {
            Assert.That(line, Is.Null, "nothing is sent to a server that does not prove the domain");
            Assert.That(log.Lines, Has.Some.Contains($"SIP TLS server").And.Contains("wrong host"));
        }
    }

    private static SipMessage Options(SipUri target)
    {
        var text = $"OPTIONS {target} SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-tls-{Guid.NewGuid():N}\r\n" +
            "Max-Forwards: 70\r\nFrom: <sip:hotline@127.0.0.1>;tag=1\r\nTo: <sip:probe@example.com>\r\nCall-ID: tls-1@test\r\n" +
            "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
        return SipParser.Parse(Encoding.ASCII.GetBytes(text)).Message!;
    }

    /// <summary>The serial number of the certificate the SIP TLS listener presents to a new connection.</summary>
    private static async Task<string> ServedSerialAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        string? serial = null;
        await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            serial = certificate is null ? null : new X509Certificate2(certificate).SerialNumber;
            return true;
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        return serial ?? throw new AssertionException("no certificate served");
    }

    /// <summary>
    /// A TLS server for one connection: the first line the client sends once the handshake is done, or null when the
    /// client gave up on our certificate (with TLS 1.3 our handshake completes before the client has judged it).
    /// </summary>
    private static async Task<string?> ReceiveFirstLineAsync(TcpListener listener, X509Certificate2 certificate)
    {
        using var tcp = await listener.AcceptTcpClientAsync();
        await using var tls = new SslStream(tcp.GetStream());
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate });
            using var reader = new StreamReader(tls, Encoding.ASCII);
            return await reader.ReadLineAsync();
        }
        catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException)
        {
            return null;
        }
    }

    private sealed class ListLogger : ILogger<SipTransportLayer>
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines) return [.. _lines];
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines) _lines.Add(formatter(state, exception));
        }
    }
}
