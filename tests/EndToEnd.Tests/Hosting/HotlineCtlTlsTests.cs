using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Hosting;

/// <summary>
/// hotlinectl against an engine whose CTI speaks TLS (as under tools/run.sh): the engine's certificate is trusted only
/// through the CA given with <c>--ca</c>, never accepted blindly.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class HotlineCtlTlsTests
{
    private TestCertificates _certs = null!;
    private HostProcess _engine = null!;
    private string _cti = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _certs = new TestCertificates();
        _cti = $"https://127.0.0.1:{FreePort.Next()}";
        _engine = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Grpc:Url"] = _cti,
            ["Tls:CertificatePath"] = _certs.Valid.CertificatePath,
            ["Tls:KeyPath"] = _certs.Valid.KeyPath,
            ["Tls:CaBundlePath"] = _certs.CaBundlePath,
            ["TicketApi:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500",
            ["Agents:0:AutoReady"] = "false",
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _engine.DisposeAsync();
        _certs.Dispose();
    }

    [Test]
    public async Task With_the_ca_the_cti_call_succeeds_and_without_it_the_certificate_is_refused()
    {
        var trusted = await HotlineCtlRunner.RunAsync(TestCredentials.EngineAdminKey, "--cti", _cti, "--ca", _certs.CaBundlePath, "agent", "a1", "sign-in");
        Assert.That(trusted.ExitCode, Is.Zero, trusted.Err);
        Assert.That(trusted.Out, Does.Contain("agent a1: NotReady"));

        var untrusted = await HotlineCtlRunner.RunAsync(TestCredentials.EngineAdminKey, "--cti", _cti, "agent", "a1", "sign-out");
        Assert.That(untrusted.ExitCode, Is.EqualTo(1), untrusted.Out);
        Assert.That(untrusted.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), untrusted.Err);
        Assert.That(untrusted.Err, Does.Contain("TLS with the engine CTI").And.Contain("--ca"));

        // The refused attempt changed nothing: a1 is still signed in.
        var state = await HotlineCtlRunner.RunAsync(TestCredentials.EngineAdminKey, "--engine", _engine.HttpUrl.ToString(), "--json", "agents");
        Assert.That(state.Out, Does.Contain("\"NotReady\""));

        var badCa = await HotlineCtlRunner.RunAsync(TestCredentials.EngineAdminKey, "--cti", _cti, "--ca", "/nonexistent/ca.crt", "agent", "a1", "ready");
        Assert.That(badCa.ExitCode, Is.EqualTo(2));
        Assert.That(badCa.Err, Does.Contain("--ca"));
    }
}
