using System.Globalization;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Security;

/// <summary>
/// Both gRPC links between the real programs over TLS (issue 15): the engine's event ingest client (engine →
/// TicketApi) and TicketApi's CTI client (TicketApi → engine, the live-figures stream it opens at start). Each
/// program serves the same certificate on its gRPC endpoint and trusts the test CA. A valid certificate: both links
/// come up. An expired, a self-signed or a wrong-host one: each client refuses to connect and says why in its log.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class GrpcTlsLinkTests
{
    private TestCertificates _certs = null!;

    [OneTimeSetUp]
    public void CreateCertificates() => _certs = new TestCertificates();

    [OneTimeTearDown]
    public void DeleteCertificates() => _certs.Dispose();

    private static string P(int port) => port.ToString(CultureInfo.InvariantCulture);

    private async Task<(HostProcess Engine, HostProcess TicketApi, string EngineGrpc, string TicketGrpc)> StartBothAsync(TestCertificates.Issued served)
    {
        var engineGrpc = $"https://127.0.0.1:{P(FreePort.Next())}";
        var ticketGrpc = $"https://127.0.0.1:{P(FreePort.Next())}";
        Dictionary<string, string> Tls(string grpcUrl) => new()
        {
            ["Kestrel:Endpoints:Grpc:Url"] = grpcUrl,
            ["Tls:CertificatePath"] = served.CertificatePath,
            ["Tls:KeyPath"] = served.KeyPath,
            ["Tls:CaBundlePath"] = _certs.CaBundlePath,
        };
        var ticketSettings = Tls(ticketGrpc);
        ticketSettings["AcdEngine:Url"] = engineGrpc;
        // Both start side by side, so TicketApi may find the engine not yet listening: it retries every second.
        ticketSettings["AcdEngine:ReconnectMaxSeconds"] = "1";
        var engineSettings = Tls(engineGrpc);
        engineSettings["TicketApi:Url"] = ticketGrpc;
        var hosts = await HostProcess.StartHealthyTogetherAsync(("TicketApi", ticketSettings), ("AcdEngine", engineSettings));
        return (hosts[1], hosts[0], engineGrpc, ticketGrpc);
    }

    [Test]
    public async Task With_certificates_from_the_ca_bundle_both_links_come_up()
    {
        var (engine, ticketApi, engineGrpc, _) = await StartBothAsync(_certs.Valid);
        await using (engine)
        await using (ticketApi)
        {
            try
            {
                // Side by side: TicketApi's live-figures stream is "connected", or "back" if the engine was not yet listening.
                await ticketApi.Process.WaitForLineAsync(l => (l.Contains("AcdEngine live figures connected at", StringComparison.Ordinal)
                    || l.Contains("AcdEngine live figures back at", StringComparison.Ordinal)) && l.Contains(engineGrpc, StringComparison.Ordinal),
                    TimeSpan.FromSeconds(30));
                // The engine's first events (its agents at start) are acked by TicketApi over TLS: "Publishing events", or
                // "Publishing … again" when its first attempt came before TicketApi listened.
                await engine.Process.WaitForLineAsync(l => l.Contains("Publishing events to TicketApi", StringComparison.Ordinal)
                    || l.Contains("Publishing to TicketApi again", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                throw new AssertionException("TicketApi:\n" + ticketApi.Process.Output + "\nAcdEngine:\n" + engine.Process.Output);
            }
            Assert.Multiple(() =>
            {
                Assert.That(engine.Process.Output, Does.Not.Contain("refusing to connect"));
                Assert.That(ticketApi.Process.Output, Does.Not.Contain("refusing to connect"));
            });
        }
    }

    private static IEnumerable<TestCaseData> Refused()
    {
        yield return new TestCaseData("expired", "expired on").SetName("An_expired_certificate_makes_both_grpc_clients_refuse_to_connect");
        yield return new TestCaseData("selfsigned", "self-signed and not in the configured CA bundle").SetName("A_self_signed_certificate_makes_both_grpc_clients_refuse_to_connect");
        yield return new TestCaseData("wronghost", "wrong host").SetName("A_wrong_host_certificate_makes_both_grpc_clients_refuse_to_connect");
    }

    [TestCaseSource(nameof(Refused))]
    public async Task A_bad_server_certificate_is_refused_by_both_clients_with_a_clear_log_line(string which, string reason)
    {
        var served = which switch { "expired" => _certs.Expired, "selfsigned" => _certs.SelfSigned, _ => _certs.WrongHost };
        var (engine, ticketApi, engineGrpc, ticketGrpc) = await StartBothAsync(served);
        await using (engine)
        await using (ticketApi)
        {
            // The engine opens its ingest stream at start; TicketApi its live-figures stream.
            var engineLine = await engine.Process.WaitForLineAsync(
                l => l.Contains("TLS: refusing to connect to", StringComparison.Ordinal) && l.Contains("TicketApi ingest " + ticketGrpc, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            var ticketLine = await ticketApi.Process.WaitForLineAsync(
                l => l.Contains("TLS: refusing to connect to", StringComparison.Ordinal) && l.Contains("AcdEngine CTI " + engineGrpc, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            TestContext.Out.WriteLine(engineLine);
            TestContext.Out.WriteLine(ticketLine);
            Assert.Multiple(() =>
            {
                Assert.That(engineLine, Does.Contain(reason));
                Assert.That(ticketLine, Does.Contain(reason));
                Assert.That(ticketApi.Process.Output, Does.Not.Contain("AcdEngine live figures connected").And.Not.Contain("AcdEngine live figures back"));
                Assert.That(engine.Process.Output, Does.Not.Contain("Publishing events to TicketApi").And.Not.Contain("Publishing to TicketApi again"));
            });
        }
    }
}
