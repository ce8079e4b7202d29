using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hotline.TestSupport;

/// <summary>
/// A throw-away CA and server certificates for TLS tests: trusted, expired, self-signed, wrong host. Written as PEM
/// files (what the programs read) into a temporary folder deleted on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        Folder = Directory.CreateTempSubdirectory("hotline-tls-").FullName;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Hotline Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        Ca = caRequest.CreateSelfSigned(now.AddDays(-30), now.AddDays(30));
        CaBundlePath = Write("ca.crt", Ca.ExportCertificatePem());
        Valid = Issue("valid", now.AddDays(-1), now.AddDays(10), "localhost", IPAddress.Loopback);
        Expired = Issue("expired", now.AddDays(-20), now.AddDays(-1), "localhost", IPAddress.Loopback);
        WrongHost = Issue("wronghost", now.AddDays(-1), now.AddDays(10), "elsewhere.example", null);
        SelfSigned = Issue("selfsigned", now.AddDays(-1), now.AddDays(10), "localhost", IPAddress.Loopback, selfSigned: true);
    }

    public string Folder { get; }
    public X509Certificate2 Ca { get; }
    public string CaBundlePath { get; }

    public Issued Valid { get; }
    public Issued Expired { get; }
    public Issued WrongHost { get; }
    public Issued SelfSigned { get; }

    /// <summary>A server certificate with its PEM files.</summary>
    public sealed record Issued(X509Certificate2 Certificate, string CertificatePath, string KeyPath);

    /// <summary>A server certificate for <paramref name="dns"/> (and <paramref name="ip"/>) signed by the CA (or by itself).</summary>
    public Issued Issue(string name, DateTimeOffset notBefore, DateTimeOffset notAfter, string dns, IPAddress? ip, bool selfSigned = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dns}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dns);
        if (ip is not null) san.AddIpAddress(ip);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var issued = selfSigned
            ? request.CreateSelfSigned(notBefore, notAfter)
            : request.Create(Ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(8));
        var certificatePath = Write(name + ".crt", issued.ExportCertificatePem());
        var keyPath = Write(name + ".key", key.ExportPkcs8PrivateKeyPem());
        // Linux SslStream servers want a key they can use directly: reload from PEM like the programs do.
        return new Issued(X509Certificate2.CreateFromPemFile(certificatePath, keyPath), certificatePath, keyPath);
    }

    private string Write(string file, string pem)
    {
        var path = Path.Combine(Folder, file);
        File.WriteAllText(path, pem);
        return path;
    }

    public void Dispose()
    {
        Ca.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
