using Hotline.Tls;
using Microsoft.Extensions.Configuration;

namespace Hotline.AcdEngine.Tests.Hosting;

/// <summary>Plain HTTP only on loopback unless Tls:AllowPlainHttp; https needs the PEM pair. Each failure names its key.</summary>
public class TlsOptionsValidatorTests
{
    private static IReadOnlyList<string> Failures(TlsOptions tls, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        var result = new TlsOptionsValidator(configuration, "TicketApi:Url").Validate(null, tls);
        return result.Failed ? result.Failures!.ToList() : [];
    }

    [Test]
    public void Loopback_http_is_allowed()
    {
        Assert.That(Failures(new TlsOptions(), ("Kestrel:Endpoints:Http:Url", "http://127.0.0.1:5080"), ("TicketApi:Url", "http://localhost:5001")), Is.Empty);
    }

    [Test]
    public void Http_on_the_network_is_refused_naming_the_key_unless_explicitly_allowed()
    {
        var failures = Failures(new TlsOptions(), ("Kestrel:Endpoints:Grpc:Url", "http://0.0.0.0:5081"), ("TicketApi:Url", "http://10.1.2.3:5001"));
        Assert.That(failures, Has.Some.StartsWith("Kestrel:Endpoints:Grpc:Url is plain http://"));
        Assert.That(failures, Has.Some.StartsWith("TicketApi:Url is plain http://"));
        Assert.That(Failures(new TlsOptions { AllowPlainHttp = true }, ("Kestrel:Endpoints:Grpc:Url", "http://0.0.0.0:5081")), Is.Empty);
    }

    [Test]
    public void Https_needs_the_certificate_and_key()
    {
        Assert.That(Failures(new TlsOptions(), ("Kestrel:Endpoints:Grpc:Url", "https://0.0.0.0:5081")),
            Has.Some.Contains("Tls:CertificatePath/Tls:KeyPath are not set"));
        Assert.That(Failures(new TlsOptions { CertificatePath = "/nonexistent.crt", KeyPath = "/nonexistent.key" }),
            Has.Some.StartsWith("Tls:CertificatePath: file"));
    }
}
